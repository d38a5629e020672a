// What native/common.h declares: the handle table, the per-thread state, and the argument,
// result and error helpers. Both entry-point files (addon.cpp, dispatch.cpp) link it.
#include "common.h"

#include <ATen/CPUGeneratorImpl.h>

#include <atomic>
#include <cstdio>
#include <string>

namespace hrm {

// ---------------------------------------------------------------- handle table

double TensorTable::put(at::Tensor t) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() > kSlotMask) throw std::runtime_error("too many live tensors (16M): dispose tensors or use scope()");
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.reported = nullptr;
  s.tensor = std::move(t);
  s.live = true;
  if (++live_ > peak_) peak_ = live_;
  return static_cast<double>((uint64_t(s.gen) << kSlotBits) | slot);
}

static inline bool decode(double handle, uint64_t& slot, uint32_t& gen) {
  if (!(handle >= 0) || handle > 9007199254740991.0) return false;
  uint64_t u = static_cast<uint64_t>(handle);
  if (static_cast<double>(u) != handle) return false;
  slot = u & TensorTable::kSlotMask;
  gen = static_cast<uint32_t>(u >> TensorTable::kSlotBits);
  return true;
}

at::Tensor& TensorTable::get(double handle) {
  uint64_t slot;
  uint32_t gen;
  if (!decode(handle, slot, gen) || slot >= slots_.size() || !slots_[slot].live || slots_[slot].gen != gen) {
    throw DisposedError("tensor is disposed (or not a tensor of this thread): it was freed by dispose(), by the end of its scope(), or by the garbage collector");
  }
  return slots_[slot].tensor;
}

bool TensorTable::release(double handle) {
  uint64_t slot;
  uint32_t gen;
  if (!decode(handle, slot, gen) || slot >= slots_.size() || !slots_[slot].live || slots_[slot].gen != gen) return false;
  Slot& s = slots_[slot];
  unreport(s);
  s.tensor = at::Tensor();
  s.live = false;
  s.gen = (s.gen + 1) & kGenMask;
  if (s.gen == 0) s.gen = 1;
  free_.push_back(static_cast<uint32_t>(slot));
  --live_;
  return true;
}

// Only tensors left to the garbage-collector safety net are reported (the JS side asks when it
// registers one): those are the ones V8 must know about to collect in time. Scoped and disposed
// tensors are freed deterministically, and reporting them made V8 run a full collection every
// few dozen MB of a training step. Storages under 1 KiB weigh less than their JS wrappers.
//
// What is reported is the bytes of the tensor's storage, once per storage: a view (expand, a
// transpose, a zero-stride tensor from a file) owns no memory of its own, and numel x element
// size would overstate it, up to sizes V8 refuses outright (it aborts the process on an
// adjustment of 2^60 bytes or more). The same bytes are subtracted when the last slot counting
// the storage is released.
void TensorTable::reportExternal(double handle) {
  uint64_t slot;
  uint32_t gen;
  if (!decode(handle, slot, gen) || slot >= slots_.size() || !slots_[slot].live || slots_[slot].gen != gen) return;
  Slot& s = slots_[slot];
  if (s.reported || !env || !s.tensor.defined() || !s.tensor.has_storage() || s.tensor.is_meta()) return;
  c10::StorageImpl* impl = s.tensor.storage().unsafeGetStorageImpl();
  const int64_t bytes = static_cast<int64_t>(impl->nbytes());
  if (bytes < 1024) return;
  ReportedStorage& r = reported_[impl];
  if (r.slots++ == 0) {
    r.bytes = bytes;
    reportedBytes_ += bytes;
    int64_t ignored;
    napi_adjust_external_memory(env, bytes, &ignored);
  }
  s.reported = impl;
}

// Keyed by the storage the slot counted when it reported, so the count balances even if the
// tensor was later pointed at another storage in place.
void TensorTable::unreport(Slot& s) {
  if (!s.reported) return;
  auto it = reported_.find(s.reported);
  s.reported = nullptr;
  if (it == reported_.end()) return;
  if (--it->second.slots == 0) {
    reportedBytes_ -= it->second.bytes;
    if (env) {
      int64_t ignored;
      napi_adjust_external_memory(env, -it->second.bytes, &ignored);
    }
    reported_.erase(it);
  }
}

void TensorTable::clear() {
  env = nullptr;  // the environment is going away: no more accounting
  for (auto& s : slots_) s.tensor = at::Tensor();
  slots_.clear();
  reported_.clear();
  reportedBytes_ = 0;
  free_.clear();
  live_ = 0;
}

State::~State() {
  // Leave inference mode guards in LIFO order, then free tensors before libtorch's statics die.
  while (!inferenceGuards.empty()) inferenceGuards.pop_back();
  tensors.clear();
  generators.clear();
}

static thread_local State* tlsState = nullptr;

State& state() {
  if (!tlsState) throw std::runtime_error("hrm-torch native state is not initialised on this thread");
  return *tlsState;
}

State& installState(Napi::Env env) {
  auto* st = new State();
  st->tensors.env = env;
  static std::atomic<bool> processGeneratorTaken{false};
  bool expected = false;
  if (processGeneratorTaken.compare_exchange_strong(expected, true)) {
    st->cpuGenerator = at::globalContext().defaultGenerator(at::kCPU);
    st->ownsProcessGenerator = true;
  } else {
    st->cpuGenerator = at::make_generator<at::CPUGeneratorImpl>(c10::default_rng_seed_val);
  }
  tlsState = st;
  env.SetInstanceData<State>(st);  // Node deletes it when the environment is torn down
  env.AddCleanupHook([]() { tlsState = nullptr; });
  return *st;
}

// ---------------------------------------------------------------- helpers

Napi::Error makeError(Napi::Env env, const std::string& message, const char* code, bool typeError) {
  Napi::Error err = typeError ? Napi::TypeError::New(env, message) : Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

std::string dimOutOfRangeMessage(const std::string& message) {
  long long lo = 0, hi = 0, dim = 0;
  if (std::sscanf(message.c_str(), "Dimension out of range (expected to be in range of [%lld, %lld], but got %lld)", &lo, &hi, &dim) != 3) return "";
  return "dim " + std::to_string(dim) + " is out of range (valid dims are " + std::to_string(lo) + " to " + std::to_string(hi) + ")";
}

bool isMissing(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsUndefined() || info[i].IsNull();
}

std::string argName(const char* name) { return std::string("argument '") + name + "'"; }

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) throw ArgError(argName(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i < info.Length() && info[i].IsBigInt()) {
    bool lossless;
    return info[i].As<Napi::BigInt>().Int64Value(&lossless);
  }
  double d = numberArg(info, i, name);
  if (d != static_cast<double>(static_cast<int64_t>(d))) throw ArgError(argName(name) + " must be an integer");
  return static_cast<int64_t>(d);
}

bool boolArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw ArgError(argName(name) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsString()) throw ArgError(argName(name) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

at::Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) throw ArgError(argName(name) + " must be a Tensor");
  try {
    return state().tensors.get(info[i].As<Napi::Number>().DoubleValue());
  } catch (const DisposedError& e) {
    throw DisposedError(argName(name) + ": " + e.what());
  }
}

std::vector<int64_t> intListArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsArray()) throw ArgError(argName(name) + " must be an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a[k];
    if (!v.IsNumber()) throw ArgError(argName(name) + " must be an array of integers");
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d))) throw ArgError(argName(name) + " must contain integers only");
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

Napi::Value tensorResult(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Undefined();
  return Napi::Number::New(env, state().tensors.put(std::move(t)));
}

Napi::Value ivalueToJs(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return tensorResult(env, v.toTensor());
  if (v.isNone()) return env.Undefined();
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isScalar()) {
    at::Scalar s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    return Napi::Number::New(env, s.toDouble());
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array a = Napi::Array::New(env, elems.size());
    for (size_t k = 0; k < elems.size(); ++k) a.Set(static_cast<uint32_t>(k), ivalueToJs(env, elems[k]));
    return a;
  }
  if (v.isList()) {
    auto list = v.toListRef();
    Napi::Array a = Napi::Array::New(env, list.size());
    for (size_t k = 0; k < list.size(); ++k) a.Set(static_cast<uint32_t>(k), ivalueToJs(env, list[k]));
    return a;
  }
  if (v.isDevice()) return Napi::String::New(env, v.toDevice().str());
  throw std::runtime_error(std::string("cannot convert a value of type ") + v.tagKind() + " to JavaScript");
}

}  // namespace hrm
