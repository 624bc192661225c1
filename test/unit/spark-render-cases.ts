// The submissions behind test/unit/spark-golden/spark-submit-<version>-<case>.json (capture.sh there
// runs the same ones through the real spark-submit).
import {fileURLToPath} from 'node:url'
import type {SubmitArgs} from '../../src/spark/submission.ts'

const TEMPLATES = fileURLToPath(new URL('./spark-golden/templates/', import.meta.url))

// The same submissions that produced test/unit/spark-golden/spark-submit-<version>-<case>.json with the
// real spark-submit of that version (against a recording fake API server; see capture.sh there).
export const cases = (v: string): Record<string, SubmitArgs> => {
  const ex = `local:///opt/spark/examples/jars/spark-examples_${v.startsWith('4') ? '2.13' : '2.12'}-${v}.jar`
  return {
    java: {name: 'spark-pi', mainClass: 'org.apache.spark.examples.SparkPi', conf: ['spark.executor.instances=2'], appResource: ex, appArgs: ['100']},
    python: {name: 'pypi', pyFiles: 'local:///opt/spark/work-dir/dep.py', appResource: 'local:///opt/spark/examples/src/main/python/pi.py', appArgs: ['10']},
    full: {
      mainClass: 'org.apache.spark.examples.SparkPi',
      driverMemory: '2g',
      driverCores: '2',
      executorMemory: '3g',
      executorCores: '2',
      numExecutors: '3',
      jars: 'local:///a.jar,local:///b.jar',
      conf: [
        'spark.kubernetes.authenticate.driver.serviceAccountName=spark',
        'spark.kubernetes.driver.label.team=data',
        'spark.kubernetes.driver.annotation.a=b-{{APP_ID}}',
        'spark.kubernetes.driverEnv.FOO=bar',
        'spark.kubernetes.driver.limit.cores=2',
        'spark.kubernetes.driver.request.cores=500m',
        'spark.kubernetes.node.selector.disk=ssd',
        'spark.kubernetes.driver.service.annotation.s=t',
        'spark.driver.extraJavaOptions=-Da=b -Dc=d',
        'spark.kubernetes.driver.secrets.mysecret=/etc/secret',
        'spark.kubernetes.container.image.pullSecrets=regcred',
        'spark.pyspark.python=python3',
        'spark.kd.unicode=é ü:x',
      ],
      appResource: ex,
      appArgs: ['10', 'a=b'],
    },
    template: {
      name: 'tpl',
      mainClass: 'org.apache.spark.examples.SparkPi',
      conf: [
        `spark.kubernetes.driver.podTemplateFile=${TEMPLATES}driver.yaml`,
        'spark.kubernetes.driver.podTemplateContainerName=spark',
        `spark.kubernetes.executor.podTemplateFile=${TEMPLATES}executor.yaml`,
        'spark.kubernetes.executor.podTemplateContainerName=spark',
        'spark.kubernetes.driver.label.role=tpl',
      ],
      appResource: ex,
      appArgs: ['5'],
    },
    volumes: {
      name: 'vol',
      mainClass: 'org.apache.spark.examples.SparkPi',
      conf: [
        'spark.kubernetes.driver.volumes.hostPath.hp.mount.path=/host',
        'spark.kubernetes.driver.volumes.hostPath.hp.options.path=/tmp/h',
        'spark.kubernetes.driver.volumes.emptyDir.scratch.mount.path=/scratch',
        'spark.kubernetes.driver.volumes.emptyDir.scratch.options.medium=Memory',
        'spark.kubernetes.driver.volumes.emptyDir.scratch.options.sizeLimit=100Mi',
        'spark.kubernetes.driver.volumes.emptyDir.scratch.mount.subPath=sub',
        'spark.kubernetes.driver.volumes.persistentVolumeClaim.data.mount.path=/data',
        'spark.kubernetes.driver.volumes.persistentVolumeClaim.data.options.claimName=my-claim',
        'spark.kubernetes.driver.volumes.persistentVolumeClaim.data.mount.readOnly=true',
        'spark.kubernetes.driver.volumes.nfs.share.mount.path=/share',
        'spark.kubernetes.driver.volumes.nfs.share.options.server=nfs.example',
        'spark.kubernetes.driver.volumes.nfs.share.options.path=/exports',
        'spark.kubernetes.driver.secrets.s1=/etc/s1',
      ],
      appResource: ex,
      appArgs: ['1'],
    },
    proxy: {
      name: 'px',
      proxyUser: 'alice',
      files: 'local:///etc/hosts',
      archives: 'local:///opt/a.zip#env',
      driverJavaOptions: '-Dx=1',
      driverClassPath: '/opt/extra/*',
      driverLibraryPath: '/opt/native',
      conf: ['spark.kubernetes.driver.pod.name=px-driver'],
      appResource: 'local:///opt/spark/examples/src/main/python/pi.py',
      appArgs: ['3'],
    },
  }
}

