package maestral.api.spi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Objects;
import maestral.api.BadInputError;
import maestral.api.Maestral;

/**
 * The {@link CallDispatcher} that carries calls out on a {@link Maestral} object, turning
 * whatever it throws into a {@link CallResult.Threw}. Calls go through one
 * {@link MethodHandle} per method, so an error arrives as itself, not wrapped (and its stack
 * walked a second time) by reflection.
 *
 * <p><b>Safe for use by many threads at once</b> when the target is.
 */
public final class MaestralDispatcher implements CallDispatcher {

    /** One handle per method id: {@code (Maestral, Object[]) -> Object}. */
    private static final MethodHandle[] HANDLES = handles();

    private final Maestral target;

    /**
     * Creates a dispatcher.
     *
     * @param target the object whose methods the calls run
     */
    public MaestralDispatcher(Maestral target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    @Override
    public CallResult dispatch(MethodCall call) {
        if (call.methodId() < 0 || call.methodId() >= MaestralMethods.count()) {
            return bad("unknown method id " + call.methodId());
        }
        Method method = MaestralMethods.method(call.methodId());
        Class<?>[] types = method.getParameterTypes();
        Object[] args = call.args();
        if (args.length != types.length) {
            return bad(method.getName() + " takes " + types.length + " arguments, got " + args.length);
        }
        for (int i = 0; i < types.length; i++) {
            if (types[i].isPrimitive() ? args[i] == null || !box(types[i]).isInstance(args[i])
                    : args[i] != null && !types[i].isInstance(args[i])) {
                return bad(method.getName() + ": argument " + (i + 1) + " must be "
                        + types[i].getSimpleName() + ", got "
                        + (args[i] == null ? "null" : args[i].getClass().getName()));
            }
        }
        try {
            return new CallResult.Returned((Object) HANDLES[call.methodId()].invokeExact(target, args));
        } catch (Throwable e) {
            return new CallResult.Threw(RemoteError.of(e));
        }
    }

    private static MethodHandle[] handles() {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType erased = MethodType.methodType(Object.class, Maestral.class, Object[].class);
        MethodHandle[] handles = new MethodHandle[MaestralMethods.count()];
        for (int id = 0; id < handles.length; id++) {
            Method m = MaestralMethods.method(id);
            try {
                handles[id] = lookup.unreflect(m)
                        .asSpreader(Object[].class, m.getParameterCount())
                        .asType(erased);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot call " + m, e);
            }
        }
        return handles;
    }

    /**
     * {@inheritDoc}
     *
     * <p>True for the methods {@link MaestralMethods#answeredFromMemory} names: the target
     * must answer them from memory.
     */
    @Override
    public boolean answersAtOnce(MethodCall call) {
        return MaestralMethods.answeredFromMemory(call.methodId());
    }

    private static CallResult bad(String what) {
        return new CallResult.Threw(RemoteError.of(new BadInputError("Bad call", what)));
    }

    private static Class<?> box(Class<?> primitive) {
        return switch (primitive.getName()) {
            case "boolean" -> Boolean.class;
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "short" -> Short.class;
            case "byte" -> Byte.class;
            case "char" -> Character.class;
            default -> throw new IllegalArgumentException(primitive.getName());
        };
    }
}
