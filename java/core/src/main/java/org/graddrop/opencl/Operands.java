package org.graddrop.opencl;

import org.jocl.cl_mem;

/**
 * The device buffers of one run.
 *
 * @param gradients        K tasks of B·D floats, task k starting at float k·taskStride
 * @param taskStride       floats from one task's first element to the next task's
 * @param activations      B·D floats, or null
 * @param uniform          explicit noise, one float per position, or null for seeded noise
 * @param output           B·D floats, written
 * @param taskOutputs      K tasks of B·D floats, task k at float k·taskOutputStride, or null
 * @param taskOutputStride floats between the starts of two tasks' outputs
 */
record Operands(cl_mem gradients, long taskStride, cl_mem activations, cl_mem uniform, cl_mem output,
                cl_mem taskOutputs, long taskOutputStride) {
}
