// The generic operator entry points that dispatch.cpp defines (resolveOp, opSchema, call,
// callVoid), registered on the addon's exports by addon.cpp.
#pragma once

#include <napi.h>

namespace hrm {

// Adds resolveOp, opSchema, call and callVoid to `exports`.
void registerDispatch(Napi::Env env, Napi::Object exports);

}  // namespace hrm
