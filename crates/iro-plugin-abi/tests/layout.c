/* Compiled by tests/header.rs: the C header has the layout of the Rust crate (64-bit). */
#include "iro_plugin.h"
#include <stddef.h>
_Static_assert(sizeof(IroPluginDescriptor) == 104, "descriptor");
_Static_assert(offsetof(IroPluginDescriptor, vtable.drilldown) == 96, "dd");
_Static_assert(offsetof(IroPluginDescriptor, panic_unwind) == 48, "pu");
_Static_assert(offsetof(IroPluginDescriptor, vtable) == 56, "vt");
_Static_assert(sizeof(IroHostInfo) == 64, "hi");
_Static_assert(offsetof(IroHostInfo, host_name) == 16, "hn");
_Static_assert(sizeof(IroComputeArgs) == 72, "ca");
_Static_assert(offsetof(IroComputeArgs, tables) == 56, "t");
_Static_assert(sizeof(IroTable) == 32, "tb");
_Static_assert(sizeof(IroBuffer) == 24, "b");
_Static_assert(sizeof(struct ArrowSchema) == 72, "s");
_Static_assert(sizeof(struct ArrowArray) == 80, "a");
int main(void) { return 0; }
