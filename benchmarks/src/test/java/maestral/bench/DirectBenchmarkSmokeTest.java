package maestral.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * CI smoke pass: the benchmarks were generated, and one of them (the in-process call, which
 * starts no daemon and no child process) runs through the JMH runner and produces a result.
 * One warm-up and one measured iteration of 100 ms, in this JVM.
 */
class DirectBenchmarkSmokeTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theDirectCallBenchmarkRunsAndReports() throws RunnerException {
        Options options = new OptionsBuilder()
                .include(DirectBenchmark.class.getName() + ".status$")
                .forks(0)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(100))
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        assertEquals(1, results.size(), "one benchmark ran");
        Result<?> primary = results.iterator().next().getPrimaryResult();
        assertTrue(primary.getSampleCount() > 0, "samples were taken");
        assertTrue(primary.getScore() > 0, "a latency came back: " + primary);
        assertEquals("us/op", primary.getScoreUnit());
    }
}
