"""The Spark tests' session: a SparkSession on $TALLY_SPARK_MASTER (the local standalone cluster
scripts/test-spark.sh starts; local[2] when unset), with the package's wheel shipped to the
executors (sc.addPyFile of $TALLY_WHEEL_ZIP, the wheel under a .zip name) and imported from the
same file on the driver, so that nothing but the wheel brings `tally` to either side."""

import os
import sys

import pytest

WHEEL = os.environ.get("TALLY_WHEEL_ZIP")
if WHEEL:
    sys.path.insert(0, WHEEL)


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession
    builder = (SparkSession.builder.master(os.environ.get("TALLY_SPARK_MASTER", "local[2]"))
               .appName("tally-spark-tests")
               .config("spark.executor.memory", os.environ.get("TALLY_SPARK_EXECUTOR_MEMORY", "2g"))
               .config("spark.driver.memory", "2g")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.task.maxFailures", "4")
               # Barrier tasks log their passes (test_spark_barrier_kill times its kill by them) to a
               # file beside the cluster's work directory (the executors are on this host), else stderr.
               .config("spark.executorEnv.TALLY_SPARK_BARRIER_LOG",
                       os.path.join(os.environ["TALLY_SPARK_WORK"], "barrier.log") if os.environ.get("TALLY_SPARK_WORK") else "1"))
    session = builder.getOrCreate()
    if WHEEL:
        session.sparkContext.addPyFile(WHEEL)
    yield session
    session.stop()
