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
               .config("spark.task.maxFailures", "4"))
    session = builder.getOrCreate()
    if WHEEL:
        session.sparkContext.addPyFile(WHEEL)
    yield session
    session.stop()
