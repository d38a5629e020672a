// The process-group entry points that distributed.cpp defines (c10d stores, Gloo process groups,
// collectives), registered on the addon's exports by addon.cpp. Compiled only where the gloo
// headers were found (HRM_WITH_GLOO); the addon reports which backends it has either way.
#pragma once

#include <napi.h>

namespace hrm {

// Adds distStoreCreate, distStoreDestroy, distGroupCreate, distGroupDestroy, distAllReduce,
// distBroadcast, distAllGather and distBarrier to `exports`.
void registerDistributed(Napi::Env env, Napi::Object exports);

}  // namespace hrm
