// YAML output with kubectl's look (no line folding, no anchors) and multi-document output.
import {dump} from 'js-yaml'

export function dumpYaml(data: unknown): string {
  return dump(data, {lineWidth: -1, noRefs: true, sortKeys: false})
}

export function dumpYamlDocuments(docs: unknown[]): string {
  return docs.map(dumpYaml).join('---\n')
}
