// The native core shared by the addon's entry points: the per-thread state (tensor handle table,
// resolved operators, generators) and the argument, result and error helpers. Everything declared
// here is defined here (Guard) or in common.cpp, so addon.cpp and dispatch.cpp each depend on this
// header only, never on each other.
//
// Design: tensors cross into JS as plain numbers, never as objects. A handle encodes
// (generation << 24 | slot); a stale or disposed handle is detected and reported, never
// dereferenced. Every exported function runs inside Guard<> so that no C++ exception (libtorch's
// c10::Error included) can escape into Node and abort the process.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/core/InferenceMode.h>

#include <memory>
#include <optional>
#include <unordered_map>
#include <stdexcept>
#include <string>
#include <vector>

namespace hrm {

// A user-caused argument error: becomes a JS TypeError with code INVALID_ARGUMENT.
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A disposed or unknown tensor handle: becomes a JS Error with code TENSOR_DISPOSED.
struct DisposedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TensorTable {
 public:
  static constexpr uint64_t kSlotBits = 24;
  static constexpr uint64_t kSlotMask = (uint64_t(1) << kSlotBits) - 1;
  static constexpr uint32_t kGenMask = (uint32_t(1) << 28) - 1;

  double put(at::Tensor t);
  at::Tensor& get(double handle);
  bool release(double handle);  // false when the handle was not live
  void reportExternal(double handle);  // tell V8 about this tensor's storage bytes (GC-managed tensors only)
  size_t live() const { return live_; }
  int64_t reportedBytes() const { return reportedBytes_; }  // what V8 has been told, in total
  size_t peak() const { return peak_; }
  void resetPeak() { peak_ = live_; }
  void clear();
  // The environment whose V8 heap is told about tensor bytes (so GC-only code collects in time).
  napi_env env = nullptr;

 private:
  struct Slot {
    at::Tensor tensor;
    // The storage whose bytes this slot counts towards V8's external memory (null: none).
    c10::StorageImpl* reported = nullptr;
    uint32_t gen = 1;
    bool live = false;
  };
  // A storage reported to V8: its bytes as reported, and how many live slots count it. Views
  // share their base's storage, so a storage is reported once, however many tensors view it.
  struct ReportedStorage {
    int64_t bytes = 0;
    uint32_t slots = 0;
  };
  void unreport(Slot& s);
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  std::unordered_map<c10::StorageImpl*, ReportedStorage> reported_;
  size_t live_ = 0;
  size_t peak_ = 0;
  int64_t reportedBytes_ = 0;
};

// One resolved ATen operator and the parsed kinds of its arguments.
enum class ArgKind : uint8_t {
  Tensor, OptTensor, Int, OptInt, Float, OptFloat, Bool, OptBool, Scalar, OptScalar,
  IntList, OptIntList, FloatList, OptFloatList, BoolList, TensorList, OptTensorList,
  String, OptString, Device, OptDevice, Generator
};

struct OpInfo;
// An unboxed call for the common all-Tensor/Scalar signatures (skips IValue boxing).
using FastCall = at::Tensor (*)(const Napi::CallbackInfo&, OpInfo&);

struct OpInfo {
  c10::OperatorHandle handle;
  std::string fullName;
  std::vector<ArgKind> kinds;
  std::vector<std::string> names;
  std::vector<std::optional<c10::IValue>> defaults;
  size_t returns = 0;
  FastCall fast = nullptr;
  std::shared_ptr<void> typed;  // the c10::TypedOperatorHandle<Sig> that `fast` calls
};

// State owned by one Node environment (main thread or a worker_thread).
struct State {
  TensorTable tensors;
  std::vector<OpInfo> ops;
  std::vector<at::Generator> generators;
  // This thread's default CPU generator: libtorch's process-wide one for the first thread that
  // loads the addon, a private one for every later thread (worker), so that manualSeed in one
  // worker neither reseeds nor draws from another's stream. Random operators called without a
  // generator get this one when they run on the CPU.
  at::Generator cpuGenerator;
  bool ownsProcessGenerator = false;
  std::vector<std::unique_ptr<c10::InferenceMode>> inferenceGuards;
  ~State();
};

// This thread's state; throws when the addon was not initialised on this thread.
State& state();
// Creates this environment's state, owned by the environment and cleared when it goes away.
State& installState(Napi::Env env);

// Argument helpers: they throw ArgError naming the argument.
std::string argName(const char* name);  // "argument 'name'", the prefix of every argument error
at::Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i, const char* name);
double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name);
int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* name);
bool boolArg(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* name);
std::vector<int64_t> intListArg(const Napi::CallbackInfo& info, size_t i, const char* name);
bool isMissing(const Napi::CallbackInfo& info, size_t i);

Napi::Value tensorResult(Napi::Env env, at::Tensor t);  // undefined tensor -> JS undefined
Napi::Value ivalueToJs(Napi::Env env, const c10::IValue& v);

Napi::Error makeError(Napi::Env env, const std::string& message, const char* code, bool typeError = false);

// libtorch's "Dimension out of range" message in the SDK's words (the dim and the valid range);
// empty for any other message. Every dim passed to an op is wrapped by libtorch, so this is the
// one place a bad dim gets its message.
std::string dimOutOfRangeMessage(const std::string& message);

// Wraps an entry point so every C++ exception becomes a JS exception with a code.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guard(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const ArgError& e) {
    throw makeError(info.Env(), e.what(), "INVALID_ARGUMENT", true);
  } catch (const DisposedError& e) {
    throw makeError(info.Env(), e.what(), "TENSOR_DISPOSED");
  } catch (const c10::OutOfMemoryError& e) {
    throw makeError(info.Env(), e.what_without_backtrace(), "OUT_OF_MEMORY");
  } catch (const c10::IndexError& e) {
    const std::string msg = e.what_without_backtrace();
    const std::string dim = dimOutOfRangeMessage(msg);
    if (!dim.empty()) throw makeError(info.Env(), dim, "INVALID_ARGUMENT", true);
    throw makeError(info.Env(), msg, "TORCH_ERROR");
  } catch (const c10::Error& e) {
    // The CPU allocator reports exhaustion as a plain enforce failure; classify it as OOM too.
    const std::string msg = e.what_without_backtrace();
    bool oom = msg.find("can't allocate memory") != std::string::npos || msg.find("not enough memory") != std::string::npos;
    throw makeError(info.Env(), msg, oom ? "OUT_OF_MEMORY" : "TORCH_ERROR");
  } catch (const std::bad_alloc&) {
    throw makeError(info.Env(), "host memory allocation failed", "OUT_OF_MEMORY");
  } catch (const std::exception& e) {
    throw makeError(info.Env(), e.what(), "NATIVE_ERROR");
  } catch (...) {
    throw makeError(info.Env(), "unknown native exception", "NATIVE_ERROR");
  }
}

}  // namespace hrm
