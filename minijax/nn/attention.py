"""``dot_product_attention``: softmax(Q K^T * scale + bias, masked) V, with
JAX's ``implementation="xla"`` semantics.

Shapes use JAX's letters: B batch, T query length, S key/value length, N query
heads, K key/value heads (N a multiple of K: grouped-query attention; K == 1
is multi-query attention), G = N // K, H the head size. Rank-3 inputs (no
batch axis) are accepted too.

JAX computes the grouped heads with a ``vmap`` over G; we reshape the query
heads to (K, G) and use one einsum, which gives the same numbers.
"""
import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from .normalization import logsumexp, softmax


def _ensure_4d(t):
    """Prepend axes of size 1 up to rank 4 (the batch axis, for rank 3)."""
    t = jnp.asarray(t)
    return jnp.expand_dims(t, tuple(range(4 - t.ndim))) if t.ndim < 4 else t


def _check(t, shape, dtype, name):
    """ValueError naming ``name`` unless ``t`` has ``shape`` (-1: any size)
    and ``dtype`` (None: any)."""
    if t is None:
        return
    if t.ndim != len(shape):
        raise ValueError(f"{name} ndim should be {len(shape)}, but got {t.ndim}")
    if dtype is not None and t.dtype != dtype:
        raise ValueError(f"{name} dtype should be {dtype}, but got {t.dtype}")
    if any(want not in (-1, got) for want, got in zip(shape, t.shape)):
        raise ValueError(f"{name} shape should be {list(shape)}: but got {t.shape}")


def _large_negative(dtype):
    """The logit given to masked-out positions: very negative but finite (the
    softmax runs in float32, so it stays within float32's range)."""
    biggest = min(float(dtypes.finfo(dtype).max), float(np.finfo(np.float32).max))
    return jnp.asarray(-0.7 * biggest, dtype=dtype)


def _combined_mask(T, S, mask, is_causal, q_seqlen, kv_seqlen, window):
    """The boolean mask (broadcastable to B N T S) of the logits that take
    part, or None when every one does."""
    parts = [] if mask is None else [mask]
    query_pos = lax.broadcasted_iota(np.int32, (T, S), 0)
    key_pos = lax.broadcasted_iota(np.int32, (T, S), 1)
    if is_causal:
        parts.append((query_pos >= key_pos)[None, None])
    if window is not None:
        left, right = window
        parts.append(((query_pos <= key_pos + left) & (query_pos >= key_pos - right))[None, None])
    if q_seqlen is not None:
        parts.append((jnp.arange(T)[None, :, None] < q_seqlen[:, None, None])[:, None])
    if kv_seqlen is not None:
        parts.append((jnp.arange(S)[None, None, :] < kv_seqlen[:, None, None])[:, None])
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = jnp.logical_and(combined, part)
    return combined


def _attention(query, key, value, bias, mask, is_causal, scale, q_seqlen, kv_seqlen,
               window, return_residual):
    """The computation on rank-4 operands: (B, T, N, H) out, and the
    log-sum-exp of each softmax row (B, T, N) when asked for."""
    B, T, N, H = query.shape
    _, S, K, _ = key.shape
    G = N // K
    logits_dtype = jnp.promote_types(query.dtype, np.float32)
    grouped = jnp.reshape(query, (B, T, K, G, H))
    logits = jnp.einsum("BTKGH,BSKH->BKGTS", grouped, key,
                        preferred_element_type=logits_dtype)
    logits = jnp.reshape(logits, (B, N, T, S)).astype(logits_dtype)
    logits = logits * jnp.asarray(scale, dtype=logits.dtype)
    if bias is not None:
        logits = (logits + bias).astype(logits.dtype)
    combined = _combined_mask(T, S, mask, is_causal, q_seqlen, kv_seqlen, window)
    if combined is not None:
        logits = jnp.where(combined, logits, _large_negative(logits.dtype))
    logits = logits.astype(np.float32)          # the softmax always runs in float32
    probs = softmax(logits, axis=-1).astype(key.dtype)
    probs = jnp.reshape(probs, (B, K, G, T, S))
    encoded = jnp.reshape(jnp.einsum("BKGTS,BSKH->BTKGH", probs, value), (B, T, N, H))
    if q_seqlen is not None:   # padded query rows give zeros
        encoded = encoded * (jnp.arange(T)[None, :] < q_seqlen[:, None])[
            :, :, None, None].astype(encoded.dtype)
    if not return_residual:
        return encoded
    residual = logsumexp(logits, axis=-1).astype(key.dtype)      # B N T
    return encoded, lax.stop_gradient(jnp.transpose(residual, (0, 2, 1)))


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal=False, query_seq_lengths=None,
                          key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual=False):
    """Scaled dot-product attention, softmax(Q K^T * scale + bias) V.

    ``query`` is (B, T, N, H) or (T, N, H); ``key`` and ``value`` are
    (B, S, K, H) or (S, K, H). ``bias`` (added) and ``mask`` (boolean, True
    takes part) broadcast to (B, N, T, S). ``scale`` defaults to
    1/sqrt(H). ``is_causal``, ``query_seq_lengths``/``key_value_seq_lengths``
    (int32, shape (B,)) and ``local_window_size`` (left, right) mask further.
    With ``return_residual`` also returns the log-sum-exp of each softmax row,
    shaped like ``query`` without its last axis."""
    if implementation == "cudnn":
        raise NotImplementedError("dot_product_attention: implementation='cudnn' needs "
                                  "cuDNN; minijax has only the 'xla' implementation")
    if implementation not in (None, "xla"):
        raise ValueError(f"Unsupported implementation option: {implementation}")
    output_shape = jnp.shape(query)
    q, k, v = _ensure_4d(query), _ensure_4d(key), _ensure_4d(value)
    bias = None if bias is None else _ensure_4d(bias)
    mask = None if mask is None else _ensure_4d(mask)
    q_seqlen = None if query_seq_lengths is None else jnp.asarray(query_seq_lengths)
    kv_seqlen = None if key_value_seq_lengths is None else jnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    B, S, K, H = k.shape
    _check(v, (B, S, K, H), k.dtype, "value")
    _check(q, (B, -1, -1, H), k.dtype, "query")
    _check(mask, (-1,) * 4, np.dtype(bool), "mask")
    _check(bias, (-1,) * 4, None, "bias")
    _check(q_seqlen, (B,), np.dtype(np.int32), "query_seq_lengths")
    _check(kv_seqlen, (B,), np.dtype(np.int32), "key_value_seq_lengths")
    if q.shape[-2] % K:
        raise ValueError("The number of query heads must be a multiple of key/value heads, "
                         f"but got {q.shape[-2]} vs {K}")
    scale = 1.0 / np.sqrt(H) if scale is None else scale
    out = _attention(q, k, v, bias, mask, is_causal, scale, q_seqlen, kv_seqlen,
                     local_window_size, return_residual)
    if return_residual:
        encoded, residual = out
        return jnp.reshape(encoded, output_shape), jnp.reshape(residual, output_shape[:-1])
    return jnp.reshape(out, output_shape)
