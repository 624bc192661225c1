// Options shared by renderCluster() and renderAgent(): what the create/scale actions know beyond the
// app and the resolved cluster (flags, the root ConfigMap's UID once it exists).
import type {ServiceType} from './model.ts'

export interface RenderOptions {
  namespace: string
  /** member Service type; default the cluster spec's serviceType, else NodePort */
  serviceType?: ServiceType
  /** agent image; default DEFAULT_AGENT_IMAGE */
  agentImage?: string
  /** role id → image (`--image ROLE=IMAGE`) */
  images?: Record<string, string>
  /** role id → package URL (`--package ROLE=SRC`, already turned into a URL) */
  packages?: Record<string, string>
  /** cluster DNS domain; default cluster.local */
  domain?: string
  /** UID of the root ConfigMap: when given, every other object gets an ownerReference to it */
  rootUid?: string
  /** hash of the agent code, put on the agent's pod template so new code rolls the agent */
  agentCodeHash?: string
  /** membership generation written on the root ConfigMap; default 1 */
  generation?: number
}

export const DEFAULT_AGENT_IMAGE = 'docker.io/library/node:24-slim'
export const DEFAULT_SERVICE_TYPE: ServiceType = 'NodePort'
