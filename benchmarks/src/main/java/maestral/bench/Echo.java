package maestral.bench;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** The one-method remote interface of the RMI floor. */
public interface Echo extends Remote {

    /**
     * {@return the same bytes}
     *
     * @param message the bytes to send back
     * @throws RemoteException when the call fails
     */
    byte[] echo(byte[] message) throws RemoteException;
}
