# Fails on its first attempt and succeeds on the next, deterministically: the first attempt creates a
# marker ConfigMap (through the API, with the driver's service account, which may create ConfigMaps) and
# raises; a later attempt finds the marker (409 AlreadyExists) and counts rows with Spark.
# Usage: kubectl kd submit --restart-policy OnFailure --on-failure-retries 3 ... fail-once.py MARKER
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

marker = sys.argv[1] if len(sys.argv) > 1 else 'fail-once-marker'
sa = '/var/run/secrets/kubernetes.io/serviceaccount'
ns = open(f'{sa}/namespace').read().strip()
token = open(f'{sa}/token').read().strip()
host = os.environ['KUBERNETES_SERVICE_HOST']
url = f"https://{host}:{os.environ.get('KUBERNETES_SERVICE_PORT', '443')}/api/v1/namespaces/{ns}/configmaps"
body = json.dumps({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': marker}}).encode()
request = urllib.request.Request(url, data=body, method='POST', headers={'Authorization': f'Bearer {token}', 'Content-Type': 'application/json'})
try:
    urllib.request.urlopen(request, context=ssl.create_default_context(cafile=f'{sa}/ca.crt'))
    first = True
except urllib.error.HTTPError as e:
    if e.code != 409:
        raise
    first = False
if first:
    raise RuntimeError(f'first attempt fails on purpose (marker ConfigMap {marker} created)')

from pyspark.sql import SparkSession

spark = SparkSession.builder.appName('fail-once').getOrCreate()
print(f'attempt after the marker: counted {spark.range(1000).count()} rows')
spark.stop()
