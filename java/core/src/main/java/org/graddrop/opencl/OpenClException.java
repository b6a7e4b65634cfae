package org.graddrop.opencl;

/** An OpenCL call that returned an error code; the message names the call and the error. */
public class OpenClException extends RuntimeException {

    private final String call;
    private final int code;

    public OpenClException(String call, int code) {
        this(call, code, null);
    }

    /** A failure with more detail than the code, such as the build log of a kernel that did not compile. */
    public OpenClException(String call, int code, String detail) {
        super(call + " failed with " + ClErrors.name(code) + " (" + code + ")" + (detail == null ? "" : ": " + detail));
        this.call = call;
        this.code = code;
    }

    /** The OpenCL function that failed, for example "clBuildProgram". */
    public String call() {
        return call;
    }

    /** The OpenCL error code, negative. */
    public int code() {
        return code;
    }

    /** The symbolic name of {@link #code()}, for example "CL_OUT_OF_RESOURCES". */
    public String errorName() {
        return ClErrors.name(code);
    }
}
