/*
 * SparkPi for the kubectl-kd test cluster. Apache Spark does not publish its examples jar to Maven
 * Central, and the PyPI pyspark distribution only carries the Python examples, so build-images.sh
 * compiles this (our own code, same class name, arguments and output line as Spark's example) into
 * $SPARK_HOME/examples/jars/spark-examples_2.12-<version>.jar.
 *   spark-submit --class org.apache.spark.examples.SparkPi local:///opt/spark/examples/jars/spark-examples_2.12-<v>.jar [slices]
 * Prints "Pi is roughly 3.14..." on stdout.
 */
package org.apache.spark.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

public final class SparkPi {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().appName("Spark Pi").getOrCreate();
    JavaSparkContext jsc = new JavaSparkContext(spark.sparkContext());
    int slices = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    long n = Math.min(100000L * slices, Integer.MAX_VALUE);
    List<Integer> seeds = new ArrayList<>();
    for (int i = 0; i < slices; i++) seeds.add(i);
    long perSlice = n / slices;
    long inside = jsc.parallelize(seeds, slices).map(s -> {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      long c = 0;
      for (long i = 0; i < perSlice; i++) {
        double x = r.nextDouble() * 2 - 1, y = r.nextDouble() * 2 - 1;
        if (x * x + y * y <= 1) c++;
      }
      return c;
    }).reduce(Long::sum);
    System.out.println("Pi is roughly " + 4.0 * inside / (perSlice * slices));
    spark.stop();
  }
}
