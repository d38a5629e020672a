// The process-group entry points that distributed.cpp defines (c10d stores, Gloo and NCCL process
// groups, collectives), registered on the addon's exports by addon.cpp. Compiled only where the
// headers of at least one backend were found (HRM_WITH_DISTRIBUTED, with HRM_WITH_GLOO and/or
// HRM_WITH_NCCL); the addon reports which backends it has either way.
#pragma once

#include <napi.h>

namespace hrm {

// Adds distStoreCreate, distStoreDestroy, distGroupCreate, distGroupDestroy, distAllReduce,
// distBroadcast, distAllGather and distBarrier to `exports`.
void registerDistributed(Napi::Env env, Napi::Object exports);

}  // namespace hrm
