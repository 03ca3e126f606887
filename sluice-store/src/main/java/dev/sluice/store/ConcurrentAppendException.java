package dev.sluice.store;

/** Another writer appended to the app's log first; this append wrote nothing. */
public final class ConcurrentAppendException extends StoreException {
  private static final long serialVersionUID = 1L;

  public ConcurrentAppendException(String message) {
    super(message);
  }
}
