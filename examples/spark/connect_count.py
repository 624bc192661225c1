"""Spark Connect from outside the cluster: counts a range on the cluster's Connect server.

    pip install pyspark-client==4.2.0        # the Connect client alone, no JVM
    python examples/spark/connect_count.py sc://HOST:PORT   # kubectl kd status CLUSTER shows the sc:// endpoint
"""
import sys

from pyspark.sql import SparkSession

spark = SparkSession.builder.remote(sys.argv[1]).getOrCreate()
print("server:", spark.version)
print("count:", spark.range(1000000).count())
spark.stop()
