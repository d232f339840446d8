/*
 * The Node-API addon (node, deno and bun load the same .node): buildInfo(), alignOffset(buffer),
 * prepareFff(params), prepareUfb(params), run(kernel, input), facts(kernel), dispose(kernel).
 *
 * prepare reads every weight array where JavaScript holds it (the kernels copy only what they need
 * in another layout or alignment: kernels.h) and keeps a reference to each (and to the output
 * array), so the garbage collector cannot free them while the kernel exists; run reads
 * the input array in place and writes the output array given at prepare. dispose (or, failing it,
 * the kernel object's finalizer) stops the kernel's threads and drops the references.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "simd.h"

#define MAX_REFS 8

typedef struct {
  int is_fff;
  fff_kernel *fff;
  ufb_kernel *ufb;
  size_t input_length;
  napi_ref refs[MAX_REFS];
  int nrefs;
} handle;

#define CHECK(call)                                                                                 \
  do {                                                                                              \
    if ((call) != napi_ok) {                                                                        \
      const napi_extended_error_info *info = NULL;                                                  \
      napi_get_last_error_info(env, &info);                                                         \
      napi_throw_error(env, NULL, info && info->error_message ? info->error_message : #call " failed"); \
      return NULL;                                                                                  \
    }                                                                                               \
  } while (0)

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int get_int(napi_env env, napi_value obj, const char *name, int *out) {
  napi_value v;
  napi_valuetype t;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok || t != napi_number) return 0;
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/* A Float32Array property of `obj` with exactly `length` elements: its data, and a reference kept in h. */
static float *get_floats(napi_env env, napi_value obj, const char *name, size_t length, handle *h, char *why) {
  napi_value v;
  bool is_typed = false;
  napi_typedarray_type type;
  size_t n;
  void *data;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, &n, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    snprintf(why, 200, "%s: expected a Float32Array", name);
    return NULL;
  }
  if (n != length) {
    snprintf(why, 200, "%s: expected %zu floats, got %zu", name, length, n);
    return NULL;
  }
  if (h->nrefs == MAX_REFS || napi_create_reference(env, v, 1, &h->refs[h->nrefs]) != napi_ok) {
    snprintf(why, 200, "%s: could not keep a reference", name);
    return NULL;
  }
  h->nrefs++;
  /* an empty array may have no storage; nothing reads it */
  return data ? data : (float *)"";
}

static void release(napi_env env, handle *h) {
  if (h->fff) fff_free(h->fff);
  if (h->ufb) ufb_free(h->ufb);
  h->fff = NULL;
  h->ufb = NULL;
  for (int r = 0; r < h->nrefs; r++) napi_delete_reference(env, h->refs[r]);
  h->nrefs = 0;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  release(env, data);
  free(data);
}

static napi_value wrap(napi_env env, handle *h) {
  napi_value out;
  if (napi_create_external(env, h, finalize, NULL, &out) != napi_ok) {
    release(env, h);
    free(h);
    return throw_error(env, "could not create the kernel object");
  }
  return out;
}

static handle *unwrap(napi_env env, napi_value v) {
  napi_valuetype t;
  void *data = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

static napi_value one_arg(napi_env env, napi_callback_info info, napi_value *second) {
  size_t argc = 2;
  napi_value argv[2] = {NULL, NULL};
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  if (second) *second = argc > 1 ? argv[1] : NULL;
  return argv[0];
}

static napi_value prepare_fff(napi_env env, napi_callback_info info) {
  napi_value params = one_arg(env, info, NULL);
  if (!params) return throw_error(env, "prepareFff(params): params missing");
  fff_params p;
  memset(&p, 0, sizeof p);
  if (!get_int(env, params, "inputDim", &p.i) || !get_int(env, params, "outputDim", &p.o) || !get_int(env, params, "leafWidth", &p.l) ||
      !get_int(env, params, "depth", &p.depth) || !get_int(env, params, "batch", &p.batch) || !get_int(env, params, "activation", &p.act) ||
      !get_int(env, params, "threads", &p.threads) || !get_int(env, params, "spinMicros", &p.spin_micros) || !get_int(env, params, "top", &p.top))
    return throw_error(env, "prepareFff: inputDim, outputDim, leafWidth, depth, batch, activation, threads, spinMicros and top must be numbers");
  if (p.i < 1 || p.o < 1 || p.l < 1 || p.depth < 0 || p.depth > 24 || p.batch < 1 || p.threads < 1 || (p.act != ACT_RELU && p.act != ACT_GELU))
    return throw_error(env, "prepareFff: a dimension, the depth (0 to 24), the batch or the thread count is out of range");
  handle *h = calloc(1, sizeof *h);
  if (!h) return throw_error(env, "out of memory");
  h->is_fff = 1;
  h->input_length = (size_t)p.batch * p.i;
  char why[256] = "";
  size_t nodes = ((size_t)1 << p.depth) - 1, leaves = (size_t)1 << p.depth;
  if (!(p.node_w = get_floats(env, params, "nodeWeights", nodes * p.i, h, why)) || !(p.node_b = get_floats(env, params, "nodeBias", nodes, h, why)) ||
      !(p.w1 = get_floats(env, params, "leafW1", leaves * p.i * p.l, h, why)) || !(p.b1 = get_floats(env, params, "leafB1", leaves * p.l, h, why)) ||
      !(p.w2 = get_floats(env, params, "leafW2", leaves * p.l * p.o, h, why)) || !(p.b2 = get_floats(env, params, "leafB2", leaves * p.o, h, why)) ||
      !(p.y = get_floats(env, params, "output", (size_t)p.batch * p.o, h, why)) || !(h->fff = fff_prepare(&p, why))) {
    release(env, h);
    free(h);
    char message[300];
    snprintf(message, sizeof message, "prepareFff: %s", why);
    return throw_error(env, message);
  }
  return wrap(env, h);
}

static napi_value prepare_ufb(napi_env env, napi_callback_info info) {
  napi_value params = one_arg(env, info, NULL);
  if (!params) return throw_error(env, "prepareUfb(params): params missing");
  ufb_params p;
  memset(&p, 0, sizeof p);
  if (!get_int(env, params, "inputDim", &p.i) || !get_int(env, params, "outputDim", &p.o) || !get_int(env, params, "depth", &p.depth) ||
      !get_int(env, params, "batch", &p.batch) || !get_int(env, params, "activation", &p.act) || !get_int(env, params, "threads", &p.threads) ||
      !get_int(env, params, "spinMicros", &p.spin_micros) || !get_int(env, params, "top", &p.top))
    return throw_error(env, "prepareUfb: inputDim, outputDim, depth, batch, activation, threads, spinMicros and top must be numbers");
  if (p.i < 1 || p.o < 1 || p.depth < 0 || p.depth > 24 || p.batch < 1 || p.threads < 1 || (p.act != ACT_RELU && p.act != ACT_GELU))
    return throw_error(env, "prepareUfb: a dimension, the depth (0 to 24), the batch or the thread count is out of range");
  handle *h = calloc(1, sizeof *h);
  if (!h) return throw_error(env, "out of memory");
  h->input_length = (size_t)p.batch * p.i;
  char why[256] = "";
  size_t nodes = ((size_t)2 << p.depth) - 1;
  if (!(p.node_in = get_floats(env, params, "nodeIn", nodes * p.i, h, why)) || !(p.node_out = get_floats(env, params, "nodeOut", nodes * p.o, h, why)) ||
      !(p.y = get_floats(env, params, "output", (size_t)p.batch * p.o, h, why)) || !(h->ufb = ufb_prepare(&p, why))) {
    release(env, h);
    free(h);
    char message[300];
    snprintf(message, sizeof message, "prepareUfb: %s", why);
    return throw_error(env, message);
  }
  return wrap(env, h);
}

static napi_value run(napi_env env, napi_callback_info info) {
  napi_value input;
  napi_value kernel = one_arg(env, info, &input);
  handle *h = kernel ? unwrap(env, kernel) : NULL;
  if (!h) return throw_error(env, "run(kernel, input): not a kernel");
  if (!h->fff && !h->ufb) return throw_error(env, "run: the kernel was disposed");
  bool is_typed = false;
  napi_typedarray_type type;
  size_t n;
  void *data;
  if (!input || napi_is_typedarray(env, input, &is_typed) != napi_ok || !is_typed || napi_get_typedarray_info(env, input, &type, &n, &data, NULL, NULL) != napi_ok ||
      type != napi_float32_array)
    return throw_error(env, "run: the input must be a Float32Array");
  if (n != h->input_length) {
    char message[120];
    snprintf(message, sizeof message, "run: the input has %zu floats, the kernel was prepared for %zu (batch × inputDim)", n, h->input_length);
    return throw_error(env, message);
  }
  if (h->fff) fff_run(h->fff, data);
  else ufb_run(h->ufb, data);
  return NULL;
}

static napi_value facts(napi_env env, napi_callback_info info) {
  napi_value kernel = one_arg(env, info, NULL);
  handle *h = kernel ? unwrap(env, kernel) : NULL;
  if (!h || (!h->fff && !h->ufb)) return throw_error(env, "facts(kernel): not a live kernel");
  kernel_facts f = h->fff ? fff_facts(h->fff) : ufb_facts(h->ufb);
  napi_value out, v;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_int32(env, f.threads, &v));
  CHECK(napi_set_named_property(env, out, "threads", v));
  CHECK(napi_create_int32(env, f.top, &v));
  CHECK(napi_set_named_property(env, out, "top", v));
  CHECK(napi_get_boolean(env, f.small_leaves, &v));
  CHECK(napi_set_named_property(env, out, "smallLeaves", v));
  CHECK(napi_get_boolean(env, f.streamed, &v));
  CHECK(napi_set_named_property(env, out, "streamed", v));
  CHECK(napi_create_double(env, (double)f.copied_bytes, &v));
  CHECK(napi_set_named_property(env, out, "copiedBytes", v));
  return out;
}

static napi_value dispose(napi_env env, napi_callback_info info) {
  napi_value kernel = one_arg(env, info, NULL);
  handle *h = kernel ? unwrap(env, kernel) : NULL;
  if (!h) return throw_error(env, "dispose(kernel): not a kernel");
  release(env, h);
  return NULL;
}

/* Bytes from the start of an ArrayBuffer to its first 64-byte aligned address (so rows can be streamed). */
static napi_value align_offset(napi_env env, napi_callback_info info) {
  napi_value buffer = one_arg(env, info, NULL);
  void *data = NULL;
  size_t n;
  if (!buffer || napi_get_arraybuffer_info(env, buffer, &data, &n) != napi_ok) return throw_error(env, "alignOffset(buffer): expected an ArrayBuffer");
  napi_value out;
  CHECK(napi_create_int32(env, (int)((64 - (uintptr_t)data % 64) % 64), &out));
  return out;
}

static napi_value set_string(napi_env env, napi_value obj, const char *name, const char *value) {
  napi_value v;
  CHECK(napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, name, v));
  return obj;
}

/* What the addon was compiled for: the vector ISA (simd.h), its width, the compiler's own version string. */
static napi_value build_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, v;
  CHECK(napi_create_object(env, &out));
  if (!set_string(env, out, "isa", FFFB_ISA)) return NULL;
  CHECK(napi_create_int32(env, VL * 32, &v));
  CHECK(napi_set_named_property(env, out, "vectorBits", v));
#if defined(__clang__)
  if (!set_string(env, out, "compiler", "clang " __clang_version__)) return NULL;
#elif defined(__GNUC__)
  if (!set_string(env, out, "compiler", "gcc " __VERSION__)) return NULL;
#else
  if (!set_string(env, out, "compiler", "unknown")) return NULL;
#endif
  CHECK(napi_create_int32(env, NAPI_VERSION, &v));
  CHECK(napi_set_named_property(env, out, "napiVersion", v));
  return out;
}

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback fn;
  } exported[] = {{"buildInfo", build_info}, {"alignOffset", align_offset}, {"prepareFff", prepare_fff}, {"prepareUfb", prepare_ufb},
                  {"run", run},              {"facts", facts},              {"dispose", dispose}};
  for (size_t k = 0; k < sizeof exported / sizeof exported[0]; k++) {
    napi_value fn;
    if (napi_create_function(env, exported[k].name, NAPI_AUTO_LENGTH, exported[k].fn, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, exported[k].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}
