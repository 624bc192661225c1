// A recording stand-in for kube-apiserver, used once to capture what the real spark-submit sends
// (the goldens next to this file). Answers creates/applies like the API server, 404s the rest.
//   node test/unit/spark-golden/record-apiserver.mjs OUT_DIR PORT
//   $SPARK_HOME/bin/spark-submit --master k8s://http://127.0.0.1:PORT --deploy-mode cluster \
//     --conf spark.kubernetes.submission.waitAppCompletion=false --conf spark.kubernetes.namespace=default …
// Importing this file does nothing (uvu may load it by pattern).
import http from 'node:http'
import fs from 'node:fs'
import crypto from 'node:crypto'
import {fileURLToPath} from 'node:url'

function serve(out, port) {
  fs.mkdirSync(out, {recursive: true})
  let n = 0
  const store = new Map()
  http
    .createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        n++
        let parsed
        try {
          parsed = body ? JSON.parse(body) : undefined
        } catch {
          parsed = body
        }
        fs.writeFileSync(`${out}/${String(n).padStart(2, '0')}-${req.method}.json`, JSON.stringify({method: req.method, url: req.url, headers: {'content-type': req.headers['content-type']}, body: parsed}, null, 2))
        const path = req.url.split('?')[0]
        const json = (code, o) => (res.writeHead(code, {'content-type': 'application/json'}), res.end(JSON.stringify(o)))
        if (['POST', 'PUT', 'PATCH'].includes(req.method)) {
          const obj = typeof parsed === 'object' ? parsed : {metadata: {name: path.split('/').pop()}}
          obj.metadata = {...obj.metadata, uid: crypto.randomUUID(), resourceVersion: '1', creationTimestamp: new Date().toISOString()}
          if (/accessreviews/.test(path)) obj.status = {allowed: true}
          store.set(req.method === 'POST' ? `${path}/${obj.metadata.name}` : path, obj)
          return json(req.method === 'POST' ? 201 : 200, obj)
        }
        if (req.method === 'GET' && store.has(path)) return json(200, store.get(path))
        json(404, {kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found'})
      })
    })
    .listen(port, '127.0.0.1', () => console.log(`recording API server on ${port}, writing ${out}`))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) serve(process.argv[2] ?? 'captured', Number(process.argv[3] ?? 18080))
