package maestral.api.spi;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Objects;
import maestral.api.Maestral;

/**
 * A {@link Maestral} whose every method is a call over a {@link TransportClient}. Errors the
 * daemon raised are rethrown as their own classes.
 *
 * <p>Each call's deadline is the given timeout; {@code statusChangeLongpoll(t)} gets
 * {@code t} on top of it, so that a long poll is not cut short.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class RemoteMaestral {

    private static final int LONGPOLL = MaestralMethods.id("statusChangeLongpoll");

    private RemoteMaestral() {
    }

    /**
     * {@return a {@code Maestral} that forwards every call to the client}
     *
     * @param client a connected client; closing it is the caller's job
     * @param timeout the deadline of each call
     */
    public static Maestral over(TransportClient client, Duration timeout) {
        Objects.requireNonNull(client, "client");
        long timeoutNanos = timeout.toNanos();
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, client);
            }
            int id = MaestralMethods.id(method);
            return client.call(new MethodCall(id, args), deadlineFor(id, args, timeoutNanos))
                    .valueOrThrow();
        };
        return (Maestral) Proxy.newProxyInstance(Maestral.class.getClassLoader(),
                new Class<?>[] {Maestral.class}, handler);
    }

    /**
     * {@return the deadline of this call: longer for a long poll}
     *
     * @param methodId the method called
     * @param args its arguments
     * @param timeoutNanos the usual deadline
     */
    public static long deadlineFor(int methodId, Object[] args, long timeoutNanos) {
        if (methodId == LONGPOLL && args != null && args.length == 1
                && args[0] instanceof Double seconds && seconds > 0) {
            return timeoutNanos + (long) Math.min(seconds * 1e9, Long.MAX_VALUE / 4.0);
        }
        return timeoutNanos;
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args,
                                       TransportClient client) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "RemoteMaestral[" + client.serverHello().transportId() + ", pid "
                    + client.serverHello().pid() + "]";
        };
    }
}
