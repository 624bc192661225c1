# A job that fails on purpose: the driver raises, so the job ends FAILED and `kubectl kd status` shows why.
# kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --wait examples/spark/fail.py
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("FailingJob").getOrCreate()
count = spark.sparkContext.parallelize(range(10), 2).count()
raise RuntimeError(f"deliberate failure after counting {count} rows")
