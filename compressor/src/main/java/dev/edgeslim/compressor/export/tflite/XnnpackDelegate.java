package dev.edgeslim.compressor.export.tflite;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.tensorflowlite.TfLiteContext;
import org.bytedeco.tensorflowlite.TfLiteDelegate;
import org.bytedeco.tensorflowlite.TfLiteRegistration;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * An XNNPACK delegate that also takes signed int8 (QS8) operators, created through TFLite's C API
 * {@code TfLiteXNNPackDelegateCreate}.
 * <p>
 * Why: the bytedeco TFLite 2.18 build (CMake) does not define {@code XNNPACK_DELEGATE_ENABLE_QS8}, so the
 * delegate its op resolvers create has the QS8 flag off and takes no int8 node (and for a model without float
 * tensors it is not even created). XNNPACK's QS8 kernels are compiled in all the same: with the flag set it takes
 * the int8 graph, several times faster than TFLite's own int8 kernels.
 * <p>
 * How: the presets bind neither {@code TfLiteXNNPackDelegateCreate} nor its options struct, so the two C
 * functions are called through JavaCPP function-pointer classes the presets do have, with compatible
 * signatures on the x86-64 / AArch64 calling conventions (pointer arguments and results in registers; an extra
 * trailing argument is ignored by the callee):
 * {@code TfLiteXNNPackDelegateCreate(const TfLiteXNNPackDelegateOptions*) -> TfLiteDelegate*} through
 * {@code void* (*)(TfLiteContext*, size_t)}, and {@code TfLiteXNNPackDelegateDelete(TfLiteDelegate*)} through
 * {@code void (*)(TfLiteContext*, void*)}. A JavaCPP function pointer object addresses a {ptr, obj} pair whose
 * first word is the C function. The options are zeroed memory — exactly what this build's
 * {@code TfLiteXNNPackDelegateOptionsDefault} returns (32 bytes of zeros) — with {@code int32 num_threads} at
 * offset 0 and {@code uint32 flags} at offset 4, the struct's first two fields since TFLite 2.7.
 * {@link #create} returns null when the symbols are missing (another TFLite build); a test checks that the
 * delegate really takes int8 nodes with the pinned build.
 * <p>
 * The delegate must outlive every interpreter it was applied to: close the interpreter first.
 */
final class XnnpackDelegate implements AutoCloseable {
    /** TFLITE_XNNPACK_DELEGATE_FLAG_QS8: signed 8-bit quantized operators, incl. per-channel weights. */
    static final int FLAG_QS8 = 0x1;
    /** Generous: the 2.18 options struct is 32 bytes; extra zeros are never read. */
    private static final int OPTIONS_BYTES = 256;

    private final TfLiteDelegate delegate;
    private final Pointer deleteFunction;
    private boolean closed;

    private XnnpackDelegate(TfLiteDelegate delegate, Pointer deleteFunction) {
        this.delegate = delegate;
        this.deleteFunction = deleteFunction;
    }

    /**
     * An XNNPACK delegate for float32 and signed int8 operators with its own pool of {@code threads} threads
     * (1: none), or null when this TFLite build does not export the XNNPACK C API.
     */
    static XnnpackDelegate create(int threads) {
        Loader.load(tensorflowlite.class);
        Pointer create = Loader.addressof("TfLiteXNNPackDelegateCreate");
        Pointer delete = Loader.addressof("TfLiteXNNPackDelegateDelete");
        if (isNull(create) || isNull(delete)) {
            return null;
        }
        try (BytePointer options = new BytePointer(OPTIONS_BYTES);
             PointerPointer<?> createCall = functionSlot(create)) {
            options.zero();
            IntPointer fields = new IntPointer(options);
            fields.put(0, threads > 1 ? threads : 0);
            fields.put(1, FLAG_QS8);
            Pointer created = new TfLiteContext.AllocatePersistentBuffer_TfLiteContext_long(createCall)
                    .call(new TfLiteContext(options), 0);
            if (isNull(created)) {
                return null;
            }
            return new XnnpackDelegate(new TfLiteDelegate(created), functionSlot(delete));
        }
    }

    TfLiteDelegate delegate() {
        return delegate;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        new TfLiteRegistration.Free_TfLiteContext_Pointer(deleteFunction).call(new TfLiteContext(delegate), null);
        deleteFunction.close();
    }

    /** The {ptr, obj} pair a JavaCPP function pointer object addresses, holding {@code function}. */
    private static PointerPointer<?> functionSlot(Pointer function) {
        PointerPointer<?> slot = new PointerPointer<>(2);
        slot.put(0, function);
        slot.put(1, (Pointer) null);
        return slot;
    }

    private static boolean isNull(Pointer p) {
        return p == null || p.isNull();
    }
}
