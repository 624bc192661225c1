// The YAML schema files are read with: YAML 1.2's core schema, as js-yaml reads it, but with an integer
// written with a leading zero read as octal, as kubectl reads it (YAML 1.1: `defaultMode: 0400` is 256).
// Without this a file mode copied from a Kubernetes manifest would be taken as a decimal number, another
// mode than kubectl applies, and nothing would say so.
import {CORE_SCHEMA, defineScalarTag, intCoreTag, NOT_RESOLVED} from 'js-yaml'

const LEGACY_OCTAL = /^([-+]?)0([0-7]+)$/

const intKubectlTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  resolve: (source, isExplicit, tagName) => {
    const octal = LEGACY_OCTAL.exec(source)
    if (octal) return (octal[1] === '-' ? -1 : 1) * Number.parseInt(octal[2]!, 8)
    const core = intCoreTag.resolve(source, isExplicit, tagName)
    return core === NOT_RESOLVED ? NOT_RESOLVED : (core as number)
  },
  identify: intCoreTag.identify,
  represent: intCoreTag.represent,
})

export const KUBECTL_YAML_SCHEMA = CORE_SCHEMA.withTags(intKubectlTag)
