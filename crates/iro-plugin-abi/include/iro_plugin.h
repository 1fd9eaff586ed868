/*
 * iro_plugin.h — IRO plugin ABI v1.2, for plugins written in C or C++.
 *
 * The same contract as the Rust crate iro-plugin-abi (the reference). A plugin
 * exports one symbol, `iro_plugin_descriptor`, returning a pointer to a static
 * IroPluginDescriptor. Tables cross as the Arrow C Data Interface. See
 * PLUGINS.md for the rules: ownership, status codes, the data contract, the
 * output table and versioning.
 */
#ifndef IRO_PLUGIN_H
#define IRO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IRO_PLUGIN_MAGIC "IROPLUG" /* 8 bytes with the terminating NUL */
#define IRO_ABI_MAJOR 1
/* 1.1: the drilldown entry; 1.2: `relations` in the metric list (JSON), read
 * only from a plugin declaring minor 2 or later. The descriptor is 1.1's. */
#define IRO_ABI_MINOR 2
#define IRO_DATA_CONTRACT "903-cohort/1.1"

typedef uint32_t IroStatus;
#define IRO_OK 0u
#define IRO_ERROR 1u
#define IRO_INVALID_INPUT 2u
#define IRO_PANIC 3u
#define IRO_NOT_COMPUTABLE 4u

/* Arrow C Data Interface (https://arrow.apache.org/docs/format/CDataInterface.html). */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
#endif

/* A borrowed UTF-8 string, not NUL-terminated, valid for the call. */
typedef struct IroStr {
  const uint8_t* ptr;
  size_t len;
} IroStr;

/* Bytes the plugin owns; the host copies them and hands them back to release(). */
typedef struct IroBuffer {
  const uint8_t* ptr;
  size_t len;
  void* private_data;
} IroBuffer;

typedef struct IroHostInfo {
  uint32_t struct_size; /* later minors append fields */
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t max_threads;
  uint32_t reserved;
  IroStr host_name;
  IroStr host_version;
  IroStr data_contract;
} IroHostInfo;

typedef struct IroTable {
  IroStr name;
  const struct ArrowSchema* schema; /* borrowed for the call */
  struct ArrowArray* array;         /* the plugin may move it */
} IroTable;

typedef struct IroComputeArgs {
  uint32_t struct_size; /* later minors append fields */
  int32_t year;
  IroStr metric_id;
  IroStr params_json;
  IroStr la_code;
  const IroTable* tables;
  size_t n_tables;
} IroComputeArgs;

typedef struct IroPluginVTable {
  IroStatus (*set_host_info)(const IroHostInfo* info);
  IroStatus (*list_metrics)(IroBuffer* out);
  IroStatus (*compute)(const IroComputeArgs* args, struct ArrowSchema* out_schema,
                       struct ArrowArray* out_array);
  IroStatus (*last_error)(IroBuffer* out);
  void (*release)(IroBuffer* buf);
  /* ABI 1.1: child-level tables in long form (table, title, row, column,
     value); NULL = none. Same arguments, ownership and statuses as compute. */
  IroStatus (*drilldown)(const IroComputeArgs* args, struct ArrowSchema* out_schema,
                         struct ArrowArray* out_array);
  /* later minors append entries here */
} IroPluginVTable;

/* The first 16 bytes are the same in every ABI major version. */
typedef struct IroDescriptorHeader {
  uint8_t magic[8];
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t descriptor_size; /* sizeof(IroPluginDescriptor) as built */
} IroDescriptorHeader;

typedef struct IroPluginDescriptor {
  IroDescriptorHeader header;
  const char* data_contract; /* "903-cohort/1.1" */
  const char* sdk_version;
  const char* plugin_name;
  const char* plugin_version;
  uint8_t panic_unwind; /* 1: failures are caught and reported, never abort */
  uint8_t thread_safe;  /* 1: compute may run on several threads at once */
  uint8_t reserved[6];
  IroPluginVTable vtable;
} IroPluginDescriptor;

/* The one exported symbol. */
const IroPluginDescriptor* iro_plugin_descriptor(void);

#ifdef __cplusplus
}
#endif

#endif /* IRO_PLUGIN_H */
