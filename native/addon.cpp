// Entry point of the addon: tensor data in/out, autograd, RNG and runtime queries. Operators go
// through dispatch.cpp; the handle table and argument helpers live in common.cpp. File formats
// are read and written in TypeScript (src/tensor/io/), not here.
#include "common.h"
#include "dispatch.h"
#ifdef HRM_WITH_DISTRIBUTED
#include "distributed.h"
#endif

#include <torch/torch.h>

#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/version.h>

#ifdef HRM_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <malloc.h>

#include <cstring>
#include <sstream>
#include <unordered_set>

namespace hrm {

// ---------------------------------------------------------------- tensor data in / out

static at::ScalarType dtypeArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  int64_t code = intArg(info, i, name);
  if (code < 0 || code >= static_cast<int64_t>(at::ScalarType::NumOptions)) throw ArgError(argName(name) + " is not a valid dtype code");
  return static_cast<at::ScalarType>(code);
}

// fromBuffer(view: TypedArray | ArrayBuffer | Buffer, dtype, shape, device?) -> handle
static Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  const uint8_t* data = nullptr;
  size_t bytes = 0;
  if (info.Length() > 0 && info[0].IsTypedArray()) {
    auto ta = info[0].As<Napi::TypedArray>();
    data = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    bytes = ta.ByteLength();
  } else if (info.Length() > 0 && info[0].IsArrayBuffer()) {
    auto ab = info[0].As<Napi::ArrayBuffer>();
    data = static_cast<const uint8_t*>(ab.Data());
    bytes = ab.ByteLength();
  } else if (info.Length() > 0 && info[0].IsDataView()) {
    auto dv = info[0].As<Napi::DataView>();
    data = static_cast<const uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    bytes = dv.ByteLength();
  } else {
    throw ArgError("argument 'data' must be a TypedArray, DataView or ArrayBuffer");
  }
  at::ScalarType dtype = dtypeArg(info, 1, "dtype");
  std::vector<int64_t> shape = intListArg(info, 2, "shape");
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0) throw ArgError("argument 'shape' must not contain negative sizes");
    numel *= d;
  }
  size_t expected = static_cast<size_t>(numel) * c10::elementSize(dtype);
  if (expected != bytes) {
    std::ostringstream msg;
    msg << "argument 'data' holds " << bytes << " bytes but shape and dtype need " << expected;
    throw ArgError(msg.str());
  }
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  if (bytes) std::memcpy(t.data_ptr(), data, bytes);
  if (!isMissing(info, 3)) {
    std::string dev = stringArg(info, 3, "device");
    if (dev != "cpu") t = t.to(c10::Device(dev));
  }
  return tensorResult(info.Env(), std::move(t));
}

static at::Tensor hostContiguous(const at::Tensor& t) {
  at::NoGradGuard ng;
  at::Tensor c = t.detach();
  if (!c.device().is_cpu()) c = c.to(at::kCPU);
  return c.contiguous();
}

// toBuffer(h) -> ArrayBuffer (a copy, in the tensor's dtype, C order)
static Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  at::Tensor c = hostContiguous(tensorArg(info, 0, "tensor"));
  size_t bytes = c.numel() * c.element_size();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes) std::memcpy(ab.Data(), c.data_ptr(), bytes);
  return ab;
}

class ToBufferWorker : public Napi::AsyncWorker {
 public:
  ToBufferWorker(Napi::Env env, at::Tensor t) : Napi::AsyncWorker(env), tensor_(std::move(t)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      host_ = hostContiguous(tensor_);
    } catch (const c10::Error& e) {
      SetError(e.what_without_backtrace());
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    size_t bytes = host_.numel() * host_.element_size();
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(Env(), bytes);
    if (bytes) std::memcpy(ab.Data(), host_.data_ptr(), bytes);
    host_ = at::Tensor();
    tensor_ = at::Tensor();
    deferred_.Resolve(ab);
  }
  void OnError(const Napi::Error& e) override {
    Napi::Error err = makeError(Env(), e.Message(), "TORCH_ERROR");
    deferred_.Reject(err.Value());
  }

 private:
  at::Tensor tensor_;
  at::Tensor host_;
  Napi::Promise::Deferred deferred_;
};

static Napi::Value ToBufferAsync(const Napi::CallbackInfo& info) {
  auto* w = new ToBufferWorker(info.Env(), tensorArg(info, 0, "tensor"));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

// item(h) -> number | boolean
static Napi::Value Item(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  if (t.numel() != 1) {
    throw ArgError("item() needs a tensor with exactly one element, got " + std::to_string(t.numel()));
  }
  at::Scalar s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
  return Napi::Number::New(info.Env(), s.toDouble());
}

// meta(h) -> [dtypeCode, deviceIndex (-1 = cpu), ...shape], all numbers (cheap to build)
static Napi::Value Meta(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  Napi::Env env = info.Env();
  auto sizes = t.sizes();
  napi_value arr;
  napi_create_array_with_length(env, 2 + sizes.size(), &arr);
  auto setNum = [&](uint32_t k, double v) {
    napi_value n;
    napi_create_double(env, v, &n);
    napi_set_element(env, arr, k, n);
  };
  setNum(0, static_cast<int>(t.scalar_type()));
  setNum(1, t.device().is_cpu() ? -1 : t.device().index() < 0 ? 0 : t.device().index());
  for (size_t k = 0; k < sizes.size(); ++k) setNum(static_cast<uint32_t>(2 + k), static_cast<double>(sizes[k]));
  return Napi::Value(env, arr);
}

static Napi::Value Shape(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  auto sizes = t.sizes();
  Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t k = 0; k < sizes.size(); ++k) a.Set(static_cast<uint32_t>(k), Napi::Number::New(info.Env(), static_cast<double>(sizes[k])));
  return a;
}

static Napi::Value Strides(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  auto st = t.strides();
  Napi::Array a = Napi::Array::New(info.Env(), st.size());
  for (size_t k = 0; k < st.size(); ++k) a.Set(static_cast<uint32_t>(k), Napi::Number::New(info.Env(), static_cast<double>(st[k])));
  return a;
}

// free(h) -> boolean (false when already freed)
static Napi::Value Free(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw ArgError("argument 'tensor' must be a tensor handle");
  return Napi::Boolean::New(info.Env(), state().tensors.release(info[0].As<Napi::Number>().DoubleValue()));
}

// freeMany(handles: number[] | Float64Array) -> count freed
static Napi::Value FreeMany(const Napi::CallbackInfo& info) {
  size_t freed = 0;
  auto& table = state().tensors;
  if (info.Length() > 0 && info[0].IsTypedArray()) {
    auto fa = info[0].As<Napi::Float64Array>();
    for (size_t k = 0; k < fa.ElementLength(); ++k) freed += table.release(fa[k]);
  } else if (info.Length() > 0 && info[0].IsArray()) {
    auto a = info[0].As<Napi::Array>();
    for (uint32_t k = 0; k < a.Length(); ++k) {
      Napi::Value v = a[k];
      if (v.IsNumber()) freed += table.release(v.As<Napi::Number>().DoubleValue());
    }
  } else {
    throw ArgError("argument 'handles' must be an array of tensor handles");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(freed));
}

static Napi::Value ReportExternal(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) state().tensors.reportExternal(info[0].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

static Napi::Value IsLive(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) return Napi::Boolean::New(info.Env(), false);
  try {
    state().tensors.get(info[0].As<Napi::Number>().DoubleValue());
    return Napi::Boolean::New(info.Env(), true);
  } catch (const DisposedError&) {
    return Napi::Boolean::New(info.Env(), false);
  }
}

// ---------------------------------------------------------------- autograd

static Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  bool flag = boolArg(info, 1, "requiresGrad");
  if (flag && !(at::isFloatingType(t.scalar_type()) || at::isComplexType(t.scalar_type()))) {
    throw ArgError("only floating-point tensors can require gradients, this one is " + std::string(c10::toString(t.scalar_type())));
  }
  t.requires_grad_(flag);
  return info.Env().Undefined();
}

static Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensorArg(info, 0, "tensor").requires_grad());
}

static Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensorArg(info, 0, "tensor").is_leaf());
}

static Napi::Value Grad(const Napi::CallbackInfo& info) {
  return tensorResult(info.Env(), tensorArg(info, 0, "tensor").grad());
}

static Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  if (isMissing(info, 1)) {
    t.mutable_grad() = at::Tensor();
  } else {
    t.mutable_grad() = tensorArg(info, 1, "grad");
  }
  return info.Env().Undefined();
}

static Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  tensorArg(info, 0, "tensor").retain_grad();
  return info.Env().Undefined();
}

// backward(h, grad?, retainGraph?, createGraph?)
static Napi::Value Backward(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  at::Tensor g;
  if (!isMissing(info, 1)) g = tensorArg(info, 1, "gradient");
  else if (t.numel() != 1) throw ArgError("backward() without a gradient needs a one-element tensor; this one has shape " + c10::str(t.sizes()));
  std::optional<bool> retain;
  if (!isMissing(info, 2)) retain = boolArg(info, 2, "retainGraph");
  bool create = isMissing(info, 3) ? false : boolArg(info, 3, "createGraph");
  if (!t.requires_grad()) throw ArgError("backward(): the tensor does not require grad and has no grad_fn (was it computed under noGrad(), or from tensors without requiresGrad?)");
  t.backward(g, retain, create);
  return info.Env().Undefined();
}

// autogradGrad(outputs[], inputs[], gradOutputs[]|undefined, retainGraph, createGraph) -> handles[]
static Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  auto toTensors = [&](size_t i, const char* name) {
    std::vector<at::Tensor> out;
    if (isMissing(info, i)) return out;
    if (!info[i].IsArray()) throw ArgError(argName(name) + " must be an array of tensors");
    auto a = info[i].As<Napi::Array>();
    for (uint32_t k = 0; k < a.Length(); ++k) {
      Napi::Value v = a[k];
      if (!v.IsNumber()) throw ArgError(argName(name) + " must be an array of tensors");
      out.push_back(state().tensors.get(v.As<Napi::Number>().DoubleValue()));
    }
    return out;
  };
  auto outputs = toTensors(0, "outputs");
  auto inputs = toTensors(1, "inputs");
  auto gradOutputs = toTensors(2, "gradOutputs");
  std::optional<bool> retain;
  if (!isMissing(info, 3)) retain = boolArg(info, 3, "retainGraph");
  bool create = isMissing(info, 4) ? false : boolArg(info, 4, "createGraph");
  auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, /*allow_unused=*/true);
  Napi::Array a = Napi::Array::New(info.Env(), grads.size());
  for (size_t k = 0; k < grads.size(); ++k) a.Set(static_cast<uint32_t>(k), tensorResult(info.Env(), grads[k]));
  return a;
}

// graphSize(h) -> number of autograd nodes reachable from the tensor's grad_fn (0 for leaves).
static Napi::Value GraphSize(const Napi::CallbackInfo& info) {
  at::Tensor& t = tensorArg(info, 0, "tensor");
  std::unordered_set<torch::autograd::Node*> seen;
  std::vector<torch::autograd::Node*> todo;
  if (auto fn = t.grad_fn()) todo.push_back(fn.get());
  while (!todo.empty()) {
    auto* n = todo.back();
    todo.pop_back();
    if (!seen.insert(n).second) continue;
    for (const auto& e : n->next_edges()) {
      if (e.function) todo.push_back(e.function.get());
    }
  }
  return Napi::Number::New(info.Env(), static_cast<double>(seen.size()));
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  c10::GradMode::set_enabled(boolArg(info, 0, "enabled"));
  return info.Env().Undefined();
}

static Napi::Value InferenceModeEnter(const Napi::CallbackInfo& info) {
  state().inferenceGuards.push_back(std::make_unique<c10::InferenceMode>(true));
  return Napi::Number::New(info.Env(), static_cast<double>(state().inferenceGuards.size()));
}

static Napi::Value InferenceModeExit(const Napi::CallbackInfo& info) {
  auto& guards = state().inferenceGuards;
  if (guards.empty()) throw ArgError("inferenceModeExit() without a matching enter");
  guards.pop_back();
  return info.Env().Undefined();
}

static Napi::Value IsInferenceMode(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::InferenceMode::is_enabled());
}

// ---------------------------------------------------------------- RNG

// Seeds this thread's CPU generator (the process-wide one on the first thread) and the CUDA
// devices' default generators, which libtorch keeps per process.
static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  uint64_t seed = static_cast<uint64_t>(intArg(info, 0, "seed"));
  State& st = state();
  if (st.ownsProcessGenerator) {
    torch::manual_seed(seed);
    return info.Env().Undefined();
  }
  {
    std::lock_guard<std::mutex> lock(st.cpuGenerator.mutex());
    st.cpuGenerator.set_current_seed(seed);
  }
  if (at::hasCUDA()) {
    const auto n = static_cast<int>(torch::cuda::device_count());
    for (int i = 0; i < n; ++i) {
      at::Generator g = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(i)));
      std::lock_guard<std::mutex> lock(g.mutex());
      g.set_current_seed(seed);
    }
  }
  return info.Env().Undefined();
}

static at::Generator& generatorArg(const Napi::CallbackInfo& info, size_t i) {
  int64_t id = intArg(info, i, "generator");
  auto& gens = state().generators;
  if (id < 0 || id >= static_cast<int64_t>(gens.size()) || !gens[id].defined()) throw ArgError("argument 'generator' is not a live generator");
  return gens[id];
}

// generatorNew(seed, device?) -> id ; the default CPU generator is reached with id -1 in the get/set calls
static Napi::Value GeneratorNew(const Napi::CallbackInfo& info) {
  uint64_t seed = static_cast<uint64_t>(intArg(info, 0, "seed"));
  std::string dev = isMissing(info, 1) ? "cpu" : stringArg(info, 1, "device");
  c10::Device device(dev);
  at::Generator g;
  if (device.is_cpu()) {
    g = at::make_generator<at::CPUGeneratorImpl>(seed);
  } else {
    // A fresh CUDA generator is obtained by cloning the device default one and reseeding it.
    const at::Generator& def = at::globalContext().defaultGenerator(device);
    g = def.clone();
    g.set_current_seed(seed);
  }
  auto& gens = state().generators;
  gens.push_back(g);
  return Napi::Number::New(info.Env(), static_cast<double>(gens.size() - 1));
}

static at::Generator generatorOrDefault(const Napi::CallbackInfo& info, size_t i) {
  if (isMissing(info, i) || (info[i].IsNumber() && info[i].As<Napi::Number>().DoubleValue() < 0)) {
    return state().cpuGenerator;
  }
  return generatorArg(info, i);
}

static Napi::Value GeneratorSetSeed(const Napi::CallbackInfo& info) {
  at::Generator g = generatorOrDefault(info, 0);
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(static_cast<uint64_t>(intArg(info, 1, "seed")));
  return info.Env().Undefined();
}

static Napi::Value GeneratorGetState(const Napi::CallbackInfo& info) {
  at::Generator g = generatorOrDefault(info, 0);
  std::lock_guard<std::mutex> lock(g.mutex());
  return tensorResult(info.Env(), g.get_state());
}

static Napi::Value GeneratorSetState(const Napi::CallbackInfo& info) {
  at::Generator g = generatorOrDefault(info, 0);
  at::Tensor& s = tensorArg(info, 1, "state");
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_state(s);
  return info.Env().Undefined();
}

static Napi::Value GeneratorFree(const Napi::CallbackInfo& info) {
  int64_t id = intArg(info, 0, "generator");
  auto& gens = state().generators;
  if (id >= 0 && id < static_cast<int64_t>(gens.size())) gens[id] = at::Generator();
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- runtime

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}
static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int64_t n = intArg(info, 0, "threads");
  if (n < 1) throw ArgError("argument 'threads' must be >= 1");
  at::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}
static Napi::Value GetNumInteropThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_interop_threads());
}
static Napi::Value SetNumInteropThreads(const Napi::CallbackInfo& info) {
  int64_t n = intArg(info, 0, "threads");
  if (n < 1) throw ArgError("argument 'threads' must be >= 1");
  at::set_num_interop_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

static Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}
static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}
static Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  if (!torch::cuda::is_available()) throw std::runtime_error("CUDA is not available: synchronize() needs a CUDA device (see `hrm doctor`)");
  int64_t dev = isMissing(info, 0) ? -1 : intArg(info, 0, "device");
  torch::cuda::synchronize(dev);
  return info.Env().Undefined();
}

// cudaMemory(device) -> { allocated, reserved, peakAllocated } in bytes (zeros without CUDA)
static Napi::Value CudaMemory(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  double allocated = 0, reserved = 0, peak = 0;
#ifdef HRM_WITH_CUDA
  if (torch::cuda::is_available()) {
    int dev = isMissing(info, 0) ? 0 : static_cast<int>(intArg(info, 0, "device"));
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(dev);
    using c10::CachingDeviceAllocator::StatType;
    allocated = static_cast<double>(stats.allocated_bytes[static_cast<size_t>(StatType::AGGREGATE)].current);
    reserved = static_cast<double>(stats.reserved_bytes[static_cast<size_t>(StatType::AGGREGATE)].current);
    peak = static_cast<double>(stats.allocated_bytes[static_cast<size_t>(StatType::AGGREGATE)].peak);
  }
#endif
  o.Set("allocated", allocated);
  o.Set("reserved", reserved);
  o.Set("peakAllocated", peak);
  return o;
}

static Napi::Value CudaEmptyCache(const Napi::CallbackInfo& info) {
#ifdef HRM_WITH_CUDA
  if (torch::cuda::is_available()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  return info.Env().Undefined();
}

// hostMemory() -> bytes the C allocator has handed out and not yet freed (glibc mallinfo2).
static Napi::Value HostMemory(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2();
  return Napi::Number::New(info.Env(), static_cast<double>(mi.uordblks + mi.hblkhd));
#else
  return info.Env().Undefined();
#endif
}

static Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("live", static_cast<double>(state().tensors.live()));
  o.Set("peak", static_cast<double>(state().tensors.peak()));
  o.Set("reportedBytes", static_cast<double>(state().tensors.reportedBytes()));
  return o;
}

static Napi::Value ResetPeak(const Napi::CallbackInfo& info) {
  state().tensors.resetPeak();
  return info.Env().Undefined();
}

static Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torchVersion", TORCH_VERSION);
#ifdef _GLIBCXX_USE_CXX11_ABI
  o.Set("cxx11Abi", Napi::Boolean::New(env, _GLIBCXX_USE_CXX11_ABI != 0));
#else
  o.Set("cxx11Abi", env.Null());
#endif
#ifdef HRM_WITH_CUDA
  o.Set("builtWithCuda", true);
#else
  o.Set("builtWithCuda", false);
#endif
#ifdef HRM_LIBTORCH_DIR
  o.Set("libtorchDir", HRM_LIBTORCH_DIR);
#endif
  o.Set("napiVersion", NAPI_VERSION);
  o.Set("runtimeConfig", at::show_config());
  o.Set("parallelInfo", at::get_parallel_info());
  o.Set("hasCuda", Napi::Boolean::New(env, at::hasCUDA()));
  // The process-group backends compiled in (NCCL only in the CUDA build, with NCCL's headers).
  Napi::Object backends = Napi::Object::New(env);
#ifdef HRM_WITH_GLOO
  backends.Set("gloo", true);
#else
  backends.Set("gloo", false);
#endif
#ifdef HRM_WITH_NCCL
  backends.Set("nccl", true);
#else
  backends.Set("nccl", false);
#endif
  o.Set("distributedBackends", backends);
  return o;
}

// ---------------------------------------------------------------- module

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  installState(env);

#define HRM_EXPORT(name, fn) exports.Set(name, Napi::Function::New<Guard<fn>>(env, name))
  HRM_EXPORT("fromBuffer", FromBuffer);
  HRM_EXPORT("toBuffer", ToBuffer);
  HRM_EXPORT("toBufferAsync", ToBufferAsync);
  HRM_EXPORT("item", Item);
  HRM_EXPORT("meta", Meta);
  HRM_EXPORT("shape", Shape);
  HRM_EXPORT("strides", Strides);
  HRM_EXPORT("free", Free);
  HRM_EXPORT("freeMany", FreeMany);
  HRM_EXPORT("isLive", IsLive);
  HRM_EXPORT("reportExternal", ReportExternal);
  HRM_EXPORT("setRequiresGrad", SetRequiresGrad);
  HRM_EXPORT("requiresGrad", RequiresGrad);
  HRM_EXPORT("isLeaf", IsLeaf);
  HRM_EXPORT("grad", Grad);
  HRM_EXPORT("setGrad", SetGrad);
  HRM_EXPORT("retainGrad", RetainGrad);
  HRM_EXPORT("backward", Backward);
  HRM_EXPORT("autogradGrad", AutogradGrad);
  HRM_EXPORT("graphSize", GraphSize);
  HRM_EXPORT("hostMemory", HostMemory);
  HRM_EXPORT("isGradEnabled", IsGradEnabled);
  HRM_EXPORT("setGradEnabled", SetGradEnabled);
  HRM_EXPORT("inferenceModeEnter", InferenceModeEnter);
  HRM_EXPORT("inferenceModeExit", InferenceModeExit);
  HRM_EXPORT("isInferenceMode", IsInferenceMode);
  HRM_EXPORT("manualSeed", ManualSeed);
  HRM_EXPORT("generatorNew", GeneratorNew);
  HRM_EXPORT("generatorSetSeed", GeneratorSetSeed);
  HRM_EXPORT("generatorGetState", GeneratorGetState);
  HRM_EXPORT("generatorSetState", GeneratorSetState);
  HRM_EXPORT("generatorFree", GeneratorFree);
  HRM_EXPORT("getNumThreads", GetNumThreads);
  HRM_EXPORT("setNumThreads", SetNumThreads);
  HRM_EXPORT("getNumInteropThreads", GetNumInteropThreads);
  HRM_EXPORT("setNumInteropThreads", SetNumInteropThreads);
  HRM_EXPORT("cudaIsAvailable", CudaIsAvailable);
  HRM_EXPORT("cudaDeviceCount", CudaDeviceCount);
  HRM_EXPORT("cudaSynchronize", CudaSynchronize);
  HRM_EXPORT("cudaMemory", CudaMemory);
  HRM_EXPORT("cudaEmptyCache", CudaEmptyCache);
  HRM_EXPORT("liveTensors", LiveTensors);
  HRM_EXPORT("resetPeak", ResetPeak);
  HRM_EXPORT("buildInfo", BuildInfo);
#undef HRM_EXPORT

  registerDispatch(env, exports);
#ifdef HRM_WITH_DISTRIBUTED
  registerDistributed(env, exports);
#endif
  return exports;
}

}  // namespace hrm

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return hrm::Init(env, exports); }
NODE_API_MODULE(hrm_torch, InitModule)
