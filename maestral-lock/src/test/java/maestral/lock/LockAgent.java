package maestral.lock;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * A child process that holds a {@link Lock} on behalf of a test, driven step by step.
 *
 * <p>Started as {@code java --enable-native-access=ALL-UNNAMED -cp ... maestral.lock.LockAgent
 * FOLDER NAME}. It prints {@code ready PID} once, then reads one command per line from stdin and
 * answers exactly one line on stdout per command:
 *
 * <ul>
 *   <li>{@code acquire}: {@code true} or {@code false};
 *   <li>{@code release}: {@code ok}, or {@code illegal-state} when {@link Lock#release()} threw
 *       {@link IllegalStateException};
 *   <li>{@code locked}: {@code true} or {@code false};
 *   <li>{@code pid}: the pid {@link Lock#lockingPid()} reports, or {@code none};
 *   <li>{@code holds}: {@link Lock#holdsCurrentFile()}, {@code true} or {@code false};
 *   <li>{@code probe-loop MILLIS}: calls {@link Lock#locked()} and {@link Lock#lockingPid()} in a
 *       tight loop for that long, then answers {@code probed ITERATIONS LOCKED_COUNT PIDS} where
 *       PIDS is the comma separated set of pids seen, or {@code -};
 *   <li>{@code cycle N}: acquires and (when that succeeded) releases N times in a tight loop, then
 *       answers {@code cycled SUCCEEDED FAILED};
 *   <li>{@code exit}: answers {@code bye} and exits with status 0.
 * </ul>
 *
 * <p>Any unexpected exception is answered as {@code error CLASS: MESSAGE}; an unknown command as
 * {@code error unknown command: ...}. At the end of stdin it exits.
 */
public final class LockAgent {

    private LockAgent() {
    }

    /**
     * Runs the agent.
     *
     * @param args the lock's folder and name
     * @throws Exception when stdin cannot be read
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LockAgent FOLDER NAME");
            System.exit(2);
        }
        Lock lock = Lock.singleton(args[1], Path.of(args[0]));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println("ready " + ProcessHandle.current().pid());
        out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            String command = line.strip();
            String answer;
            try {
                answer = answer(lock, command);
            } catch (RuntimeException | Error e) {
                e.printStackTrace();
                answer = "error " + e.getClass().getName() + ": " + e.getMessage();
            }
            out.println(answer.replace('\n', ' '));
            out.flush();
            if (command.equals("exit")) {
                System.exit(0);
            }
        }
    }

    private static String answer(Lock lock, String command) {
        String[] words = command.split(" ");
        switch (words[0]) {
            case "acquire":
                return Boolean.toString(lock.acquire());
            case "release":
                try {
                    lock.release();
                    return "ok";
                } catch (IllegalStateException e) {
                    return "illegal-state";
                }
            case "locked":
                return Boolean.toString(lock.locked());
            case "pid": {
                OptionalLong pid = lock.lockingPid();
                return pid.isPresent() ? Long.toString(pid.getAsLong()) : "none";
            }
            case "holds":
                return Boolean.toString(lock.holdsCurrentFile());
            case "probe-loop":
                return probeLoop(lock, Long.parseLong(words[1]));
            case "cycle":
                return cycle(lock, Integer.parseInt(words[1]));
            case "exit":
                return "bye";
            default:
                return "error unknown command: " + command;
        }
    }

    private static String probeLoop(Lock lock, long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        long iterations = 0;
        long lockedCount = 0;
        TreeSet<Long> pids = new TreeSet<>();
        do {
            if (lock.locked()) {
                lockedCount++;
            }
            lock.lockingPid().ifPresent(pids::add);
            iterations++;
        } while (System.nanoTime() - end < 0);
        StringBuilder seen = new StringBuilder();
        for (long pid : pids) {
            seen.append(seen.isEmpty() ? "" : ",").append(pid);
        }
        return "probed " + iterations + " " + lockedCount + " " + (seen.isEmpty() ? "-" : seen);
    }

    private static String cycle(Lock lock, int times) {
        int succeeded = 0;
        int failed = 0;
        for (int i = 0; i < times; i++) {
            if (lock.acquire()) {
                succeeded++;
                lock.release();
            } else {
                failed++;
            }
        }
        return "cycled " + succeeded + " " + failed;
    }
}
