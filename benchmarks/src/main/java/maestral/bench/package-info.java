/**
 * JMH benchmarks of the latency of {@code MaestralProxy} calls over each transport, beside
 * the physical floors measured in the same run: an in-process call, a raw JDK unix-socket
 * ping-pong, a raw shared-memory spin ping-pong and Java RMI on loopback. Also the one-shot
 * command-line pattern, multi-threaded and multi-process throughput, and (outside JMH, in
 * {@link maestral.bench.Measurements}) the daemon's start-up time, idle CPU and resident
 * memory.
 *
 * <p>Everything runs against processes on this machine only. Every child process is started
 * by the benchmark that needs it and ended through its own {@link java.lang.Process} handle
 * or pid; every folder lives under a temporary folder that is removed afterwards.
 *
 * <p>Not API: {@code benchmarks/run} is the way in.
 */
package maestral.bench;
