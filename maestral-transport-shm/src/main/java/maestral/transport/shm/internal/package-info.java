/**
 * The workings of the shm transport: the Chronicle queues, the frame layout
 * ({@link maestral.transport.shm.internal.ShmDescriptor}), the codec, the idle strategies, and
 * the server and client. <b>Not API</b>: nothing here is exported, and any of it may change
 * in any release.
 */
package maestral.transport.shm.internal;
