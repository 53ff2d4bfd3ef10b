/**
 * The transport conformance suite: {@link maestral.transport.tck.TransportConformanceSuite},
 * which every transport's tests extend, and the scripted {@code Maestral} it serves.
 * It uses and provides no service and reads no system property.
 */
module maestral.transport.tck {
    requires transitive maestral.api;
    requires transitive org.junit.jupiter.api;

    exports maestral.transport.tck;
}
