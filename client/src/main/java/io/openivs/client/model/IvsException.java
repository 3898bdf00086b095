package io.openivs.client.model;

/**
 * An error answered by the IVS service. Each error shape of the service model has its own subclass (e.g.
 * {@link ConflictException}); an error code this client does not know arrives as a plain IvsException.
 *
 * <p>Failures that never got an answer (connection refused, timeouts after the last retry) are
 * {@link java.io.UncheckedIOException}s instead, and a request rejected before sending (a required member
 * missing) is an {@link IllegalArgumentException}.
 */
public class IvsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String errorCode;
    private final String errorMessage;
    private final int statusCode;
    private final String requestId;

    /**
     * @param errorCode    the service's error code (x-amzn-ErrorType without its ':' suffix), or null if it sent none
     * @param errorMessage the message of the error body, or null
     * @param statusCode   the HTTP status of the response
     * @param requestId    x-amzn-RequestId of the response, or null
     */
    public IvsException(String errorCode, String errorMessage, int statusCode, String requestId) {
        super(describe(errorCode, errorMessage, statusCode, requestId));
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
        this.statusCode = statusCode;
        this.requestId = requestId;
    }

    /** The service's error code, e.g. "ConflictException"; null if the response carried none. */
    public String errorCode() {
        return errorCode;
    }

    /** The message as the service sent it, without the status/code/request-id suffix of {@link #getMessage()}. */
    public String errorMessage() {
        return errorMessage;
    }

    /** The HTTP status of the error response. */
    public int statusCode() {
        return statusCode;
    }

    /** The request id (x-amzn-RequestId) to quote when asking the service operator; null if none was sent. */
    public String requestId() {
        return requestId;
    }

    private static String describe(String code, String message, int status, String requestId) {
        return (message != null ? message + " " : "")
                + "(Service: ivs, Status Code: " + status
                + ", Error Code: " + code
                + ", Request ID: " + requestId + ")";
    }
}
