package maestral.bench;

import maestral.api.Maestral;
import maestral.api.NotLinkedError;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The four calls every latency benchmark makes, on whatever {@link #target()} its subclass
 * sets up: in this process ({@link DirectBenchmark}) or through a proxy
 * ({@link ProxyBenchmark}). One definition keeps the rows of the report comparable.
 */
public abstract class CallBenchmarks {

    /** Creates the benchmark; JMH calls its subclasses' constructors. */
    protected CallBenchmarks() {
    }

    /** {@return the {@code Maestral} the calls go to} */
    protected abstract Maestral target();

    /** {@return the status: a call with no argument and a short answer} */
    @Benchmark
    public String status() {
        return target().status();
    }

    /** {@return the excluded status of a 32-byte path} */
    @Benchmark
    public String excludedStatus32() {
        return target().excludedStatus(Payloads.PATH_32);
    }

    /** {@return the 30 KiB payload list} */
    @Benchmark
    public Object payload30KiB() {
        return target().getConf(Payloads.SECTION, Payloads.NAME);
    }

    /** {@return the {@link NotLinkedError} that {@code getAccountInfo} throws, caught} */
    @Benchmark
    public Object throwsNotLinked() {
        try {
            return target().getAccountInfo();
        } catch (NotLinkedError e) {
            return e;
        }
    }
}
