package org.graddrop.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFinitePolicy;
import org.graddrop.Statistics;
import org.graddrop.UnsupportedFeatureException;
import org.graddrop.reference.NonFiniteScan;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;
import org.graddrop.spi.Problem;
import org.jocl.cl_mem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GradDrop as OpenCL kernels run through JOCL, on one device of this machine: the device named by
 * the system property {@code graddrop.opencl.device} (an index of {@link #devices()} or part of a
 * device name), else the first GPU that computes the contract exactly, else the first such device.
 *
 * <p>{@link #apply} reads and writes the caller's segments, in place on unified-memory devices and
 * through copies otherwise, and returns once every transfer has completed. For a training loop on
 * a discrete GPU, {@link #openSession()} keeps tensors on the device across calls.
 */
public final class OpenClBackend implements Backend {

    /** The system property that picks the device: an index of {@link #devices()} or part of a device name. */
    public static final String DEVICE_PROPERTY = "graddrop.opencl.device";

    private static final OpenClBackend INSTANCE = new OpenClBackend();
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);

    private final Map<Integer, DeviceContext> contexts = new ConcurrentHashMap<>();
    private volatile Discovery discovery;
    private volatile Selection selection;
    private volatile DeviceInfo lastDevice;

    /** The chosen device, or why none can run GradDrop. */
    private record Selection(ClDevice device, Availability availability) {
    }

    private OpenClBackend() {
    }

    public static OpenClBackend instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public Availability availability() {
        return selection().availability();
    }

    /** Every OpenCL device found, in platform order then device order; empty without OpenCL. */
    public List<DeviceInfo> devices() {
        List<DeviceInfo> infos = new ArrayList<>();
        for (ClDevice device : discovery().devices()) {
            infos.add(device.info());
        }
        return infos;
    }

    /** Why no OpenCL device was found, with what to install; null when devices were found. */
    public String discoveryProblem() {
        return discovery().problem();
    }

    /** The device that calls run on, or null when the backend is unavailable. */
    public DeviceInfo selectedDevice() {
        ClDevice device = selection().device();
        return device == null ? null : device.info();
    }

    /** The device that ran the most recent completed call of this process, or null before the first. */
    public DeviceInfo lastDevice() {
        return lastDevice;
    }

    /** Whether the selected device is a GPU. */
    public boolean hasGpu() {
        DeviceInfo info = selectedDevice();
        return info != null && info.isGpu();
    }

    @Override
    public void checkSupported(Problem problem) {
        if (problem.keepFunction().kind() == KeepFunction.Kind.CUSTOM) {
            throw new UnsupportedFeatureException(name(), "custom keep function",
                    "a Java function cannot run in an OpenCL kernel; use identity, linear or sigmoid, or the java backend");
        }
        DeviceInfo info = selectedDevice();
        if (info == null) {
            return;
        }
        checkSupported(info, Plan.of(problem));
    }

    /** Rejects what {@code device} cannot compute exactly for {@code plan}. */
    static void checkSupported(DeviceInfo device, Plan plan) {
        // The K gradients may be staged into one buffer, the largest the call creates.
        long largestBuffer = (long) plan.tasks() * plan.elements() * Float.BYTES;
        if (largestBuffer > device.maxAllocationBytes()) {
            throw new UnsupportedFeatureException("opencl", "a call whose gradients take " + largestBuffer + " bytes",
                    "the device " + device.describe() + " allocates at most " + device.maxAllocationBytes()
                            + " bytes per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE); split the call or use the native backend");
        }
        if (plan.norms() && !device.fp64()) {
            throw new UnsupportedFeatureException("opencl", "norm keeping", "the device " + device.describe()
                    + " lacks cl_khr_fp64, and the norms are double sums; use the native or java backend");
        }
        if (plan.statistics() && !device.fp64()) {
            throw new UnsupportedFeatureException("opencl", "statistics", "the device " + device.describe()
                    + " lacks cl_khr_fp64, and the mean purity is a double sum; use the native or java backend");
        }
        if (plan.statistics() && plan.positions() > 0xFFFF_FFFFL) {
            throw new UnsupportedFeatureException("opencl", "statistics over " + plan.positions() + " positions",
                    "the device counts in 32-bit integers; split the call or use the native backend");
        }
        if (plan.statistics() && plan.localCounterBytes() > device.localMemoryBytes()) {
            throw new UnsupportedFeatureException("opencl", "statistics with " + plan.bins() + " histogram bins and "
                    + plan.tasks() + " tasks", "the counters need " + plan.localCounterBytes()
                    + " bytes of local memory and the device has " + device.localMemoryBytes() + "; use fewer bins");
        }
    }

    @Override
    public Statistics apply(Problem problem) {
        checkSupported(problem);
        ClDevice device = requireDevice();
        if (problem.nonFinite() == NonFinitePolicy.REJECT) {
            NonFiniteScan.requireFinite(problem);
        }
        Plan plan = Plan.of(problem);
        DeviceContext context = context(device);
        long elements = problem.elements();

        context.lock().lock();
        try (SegmentTransfer transfer = new SegmentTransfer(context); KernelRun run = new KernelRun(context, plan)) {
            cl_mem gradients = transfer.input("gradients", problem.gradients());
            cl_mem activations = problem.activations() == null ? null : transfer.input("activations", problem.activations());
            cl_mem uniform = problem.noise() instanceof Noise.Explicit explicit
                    ? transfer.input("uniform noise", explicit.uniform()) : null;
            cl_mem output = transfer.output("output", problem.output());
            cl_mem taskOutputs = problem.taskOutputs() == null ? null : transfer.output("taskOutputs", problem.taskOutputs());

            Statistics statistics = run.run(new Operands(gradients, elements, activations, uniform, output, taskOutputs,
                    elements));
            transfer.finish();
            lastDevice = device.info();
            return statistics;
        } finally {
            context.lock().unlock();
        }
    }

    /**
     * Opens a session on the selected device, whose tensors stay in device memory between calls.
     * Throws {@link org.graddrop.BackendUnavailableException} when no device can run GradDrop.
     */
    public DeviceSession openSession() {
        return new DeviceSession(this, context(requireDevice()));
    }

    void recordDevice(DeviceInfo device) {
        lastDevice = device;
    }

    private ClDevice requireDevice() {
        Selection chosen = selection();
        if (chosen.device() == null) {
            throw new org.graddrop.BackendUnavailableException(name(), chosen.availability().detail(),
                    chosen.availability().cause());
        }
        return chosen.device();
    }

    private DeviceContext context(ClDevice device) {
        return contexts.computeIfAbsent(device.info().index(), index -> new DeviceContext(device));
    }

    private Discovery discovery() {
        Discovery found = discovery;
        if (found == null) {
            synchronized (this) {
                found = discovery;
                if (found == null) {
                    found = Discovery.run();
                    discovery = found;
                }
            }
        }
        return found;
    }

    private Selection selection() {
        Selection chosen = selection;
        if (chosen == null) {
            synchronized (this) {
                chosen = selection;
                if (chosen == null) {
                    chosen = select(discovery(), System.getProperty(DEVICE_PROPERTY));
                    selection = chosen;
                    if (chosen.device() != null) {
                        LOG.info("GradDrop OpenCL device: {}", chosen.availability().detail());
                    }
                }
            }
        }
        return chosen;
    }

    private static Selection select(Discovery found, String requested) {
        if (found.devices().isEmpty()) {
            return new Selection(null, Availability.unavailable(found.problem(), found.cause()));
        }
        if (requested != null && !requested.isBlank()) {
            ClDevice device = find(found.devices(), requested.trim());
            if (device == null) {
                return new Selection(null, Availability.unavailable(DEVICE_PROPERTY + "='" + requested
                        + "' matches no device; the devices are " + describeAll(found.devices()), null));
            }
            if (!DeviceContext.canDivideExactly(device.info())) {
                return new Selection(null, Availability.unavailable(inexactReason(device.info()), null));
            }
            return new Selection(device, Availability.available(describeChoice(device.info())));
        }

        ClDevice fallback = null;
        for (ClDevice device : found.devices()) {
            if (!DeviceContext.canDivideExactly(device.info())) {
                continue;
            }
            if (device.info().isGpu()) {
                return new Selection(device, Availability.available(describeChoice(device.info())));
            }
            if (fallback == null) {
                fallback = device;
            }
        }
        if (fallback == null) {
            return new Selection(null, Availability.unavailable(inexactReason(found.devices().getFirst().info())
                    + " (no device of " + describeAll(found.devices()) + " can)", null));
        }
        return new Selection(fallback, Availability.available(describeChoice(fallback.info())));
    }

    private static ClDevice find(List<ClDevice> devices, String requested) {
        if (requested.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(requested);
            return index < devices.size() ? devices.get(index) : null;
        }
        String lower = requested.toLowerCase(Locale.ROOT);
        for (ClDevice device : devices) {
            if (device.info().name().toLowerCase(Locale.ROOT).contains(lower)) {
                return device;
            }
        }
        return null;
    }

    private static String inexactReason(DeviceInfo info) {
        // NOTE: a remainder-corrected float quotient would lift this; no such device was at hand to test it.
        return "the device " + info.describe() + " has neither correctly rounded float division nor cl_khr_fp64,"
                + " so its quotients could differ from the reference";
    }

    private static String describeChoice(DeviceInfo info) {
        String detail = info.describe() + ", " + (info.unifiedMemory() ? "unified memory" : "discrete memory")
                + ", division " + (info.correctlyRoundedDivide() ? "correctly rounded by build option" : "through double");
        if (!info.fp64()) {
            detail += ", no cl_khr_fp64 (norm keeping and statistics unsupported)";
        }
        if (!info.denormals()) {
            // NOTE: without CL_FP_DENORM the device flushes subnormal floats to zero, where Java keeps them.
            detail += ", NOTE: no float denormals, so results with subnormal values can differ from the reference";
        }
        return detail;
    }

    private static String describeAll(List<ClDevice> devices) {
        List<String> names = new ArrayList<>();
        for (ClDevice device : devices) {
            names.add(device.info().describe());
        }
        return String.join("; ", names);
    }
}
