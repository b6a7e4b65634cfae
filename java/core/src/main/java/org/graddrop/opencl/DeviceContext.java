package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenCL context, in-order command queue and compiled programs of one device. Programs are
 * built on first use and cached per build options. Calls on one device run one at a time under
 * {@link #lock()}, because kernel arguments are shared state in OpenCL.
 */
final class DeviceContext {

    static final String SOURCE_RESOURCE = "/org/graddrop/opencl/kernels/graddrop.cl";

    private static final Logger LOG = LoggerFactory.getLogger(DeviceContext.class);

    private final ClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Kernels> programs = new HashMap<>();

    /**
     * Builds with division through double even where the device divides exactly, so that tests
     * can run the fallback on any device with cl_khr_fp64.
     */
    static volatile boolean divideInDoubleForTests;

    /** Overrides {@link #width()} when not 0, so that tests can run every width on any device. */
    static volatile int widthForTests;

    private final int preferredWidth;

    DeviceContext(ClDevice device) {
        this.device = device;
        int[] error = new int[1];
        this.context = CL.clCreateContext(null, 1, new cl_device_id[] {device.id()}, null, null, error);
        check(error[0], "clCreateContext");
        // clCreateCommandQueue is deprecated since OpenCL 2.0 but every 1.2 to 3.0 runtime exports it.
        this.queue = CL.clCreateCommandQueue(context, device.id(), 0, error);
        check(error[0], "clCreateCommandQueue");
        this.preferredWidth = preferredWidth(device);
        LOG.info("GradDrop OpenCL kernels on {} use vectors of {} positions", device.info().describe(), preferredWidth);
    }

    ClDevice device() {
        return device;
    }

    DeviceInfo info() {
        return device.info();
    }

    cl_context context() {
        return context;
    }

    cl_command_queue queue() {
        return queue;
    }

    ReentrantLock lock() {
        return lock;
    }

    /** Whether float division on this device can be made correctly rounded, by a build option or through double. */
    static boolean canDivideExactly(DeviceInfo info) {
        return info.correctlyRoundedDivide() || info.fp64();
    }

    /** The explicit build options: never fast-math, never -cl-mad-enable, and exact division. */
    static String buildOptions(DeviceInfo info, KernelVariant variant) {
        StringBuilder options = new StringBuilder("-cl-std=CL1.2").append(variant.defines())
                .append(" -D TILE_FLOATS=").append(KernelRun.TILE_FLOATS);
        if (info.fp64()) {
            options.append(" -D HAS_FP64");
        }
        if (info.correctlyRoundedDivide() && !(divideInDoubleForTests && info.fp64())) {
            options.append(" -cl-fp32-correctly-rounded-divide-sqrt");
        } else if (info.fp64()) {
            options.append(" -D DIVIDE_IN_DOUBLE");
        }
        if (compilesWithClangForCpu(info)) {
            options.append(" -D MEMORY_HINTS");
        }
        return options.toString();
    }

    /**
     * Returns whether the device is a PoCL CPU device, whose kernel compiler is clang. Only then may
     * the kernels use clang's streaming-store and prefetch builtins, which other compilers may lack.
     */
    static boolean compilesWithClangForCpu(DeviceInfo info) {
        return info.type().contains("CPU") && info.platform().startsWith("Portable Computing Language");
    }

    /**
     * Returns the vector width of the kernels on this device, in mask positions. CPUs get their
     * preferred float vector width, so that each work-item's vector arithmetic maps onto SIMD
     * registers. GPUs get 1, one position per work-item, since their SIMD lanes are the work-items.
     */
    int width() {
        int forced = widthForTests;
        if (forced != 0) {
            return forced;
        }
        return preferredWidth;
    }

    private static int preferredWidth(ClDevice device) {
        if (device.info().isGpu()) {
            return 1;
        }
        int preferred = ClQuery.deviceInt(device.id(), CL.CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT);
        if (preferred >= 16) {
            return 16;
        }
        if (preferred >= 8) {
            return 8;
        }
        return 4;
    }

    /** Returns the kernels of {@code variant}, built on first use. Call under {@link #lock()}. */
    Kernels kernels(KernelVariant variant) {
        String options = buildOptions(device.info(), variant);
        Kernels kernels = programs.get(options);
        if (kernels == null) {
            kernels = build(options);
            programs.put(options, kernels);
        }
        return kernels;
    }

    private Kernels build(String options) {
        long start = System.nanoTime();
        int[] error = new int[1];
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source()}, null, error);
        check(error[0], "clCreateProgramWithSource");
        int code = CL.clBuildProgram(program, 1, new cl_device_id[] {device.id()}, options, null, null);
        if (code != CL.CL_SUCCESS) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            throw new OpenClException("clBuildProgram", code, "options '" + options + "' on " + device.info().describe()
                    + ", build log:\n" + log);
        }
        Kernels kernels = new Kernels(program, kernel(program, "graddrop_positions"),
                device.info().fp64() ? kernel(program, "graddrop_block_sums") : null,
                device.info().fp64() ? kernel(program, "graddrop_block_sums_float") : null,
                kernel(program, "graddrop_scale"));
        LOG.debug("Built the GradDrop kernels for {} with '{}' in {} ms", device.info().describe(), options,
                (System.nanoTime() - start) / 1_000_000);
        return kernels;
    }

    private static cl_kernel kernel(cl_program program, String name) {
        int[] error = new int[1];
        cl_kernel kernel = CL.clCreateKernel(program, name, error);
        check(error[0], "clCreateKernel(" + name + ")");
        return kernel;
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(program, device.id(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size) != CL.CL_SUCCESS) {
            return "(no build log)";
        }
        byte[] bytes = new byte[(int) size[0]];
        if (CL.clGetProgramBuildInfo(program, device.id(), CL.CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null)
                != CL.CL_SUCCESS) {
            return "(no build log)";
        }
        return new String(bytes, StandardCharsets.UTF_8).trim();
    }

    static String source() {
        try (InputStream in = DeviceContext.class.getResourceAsStream(SOURCE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenCL kernel source " + SOURCE_RESOURCE
                        + " is missing from the class path; rebuild the jar with opencl/*.cl as resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + SOURCE_RESOURCE + " failed", e);
        }
    }

    /** The kernels of one program. {@code blockSums} and {@code blockSumsFloat} are null without fp64. */
    record Kernels(cl_program program, cl_kernel positions, cl_kernel blockSums, cl_kernel blockSumsFloat,
                   cl_kernel scale) {
    }
}
