// sessiontop sensor lifecycle over libbpf: open → configure → load → attach → drain → close.
#include "sensor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "sessiontop.h"
#include "sessiontop.skel.h"

namespace sessiontop {
namespace {

// libbpf reports details (verifier log, missing BTF, attach errors) through its print callback.
// Keep the recent ones so an error can say what went wrong; echo them with debug.
std::mutex g_log_mutex;
std::string g_log;
bool g_debug = false;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n < 0) return 0;
  std::string line((size_t)n + 1, '\0');
  vsnprintf(&line[0], line.size(), fmt, args);
  line.resize((size_t)n);
  std::lock_guard<std::mutex> lock(g_log_mutex);
  if (g_debug) fputs(line.c_str(), stderr);
  if (level == LIBBPF_DEBUG) return 0;
  g_log += line;
  if (g_log.size() > 65536) g_log.erase(0, g_log.size() - 65536);
  return 0;
}

std::string take_log_tail() {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  std::string tail;
  // The verifier's reason is the last line before its log ends; otherwise the last line is.
  size_t log_end = g_log.rfind("-- END PROG LOAD LOG --");
  if (log_end != std::string::npos) {
    size_t prev = g_log.find_last_not_of("\n ", log_end == 0 ? 0 : log_end - 1);
    size_t start = g_log.rfind('\n', prev);
    // skip the "verification time"/"processed N insns" trailer lines
    while (start != std::string::npos && start > 0 &&
           (g_log.compare(start + 1, 9, "processed") == 0 || g_log.compare(start + 1, 12, "verification") == 0)) {
      prev = start - 1;
      start = g_log.rfind('\n', prev);
    }
    tail = g_log.substr(start == std::string::npos ? 0 : start + 1, prev + 1 - (start == std::string::npos ? 0 : start + 1));
    g_log.clear();
    return tail;
  }
  size_t end = g_log.find_last_not_of("\n ");
  if (end != std::string::npos) {
    size_t start = g_log.rfind('\n', end);
    tail = g_log.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
  }
  g_log.clear();
  return tail;
}

[[noreturn]] void fail(int err, const char* what) {
  err = err < 0 ? -err : err;
  std::string detail = take_log_tail();
  std::string suffix = detail.empty() ? "" : " (" + detail + ")";
  if (err == EPERM)
    throw SensorError("EPERM", std::string(what) + ": permission denied: run as root or with CAP_BPF and CAP_PERFMON");
  if (err == ENOSYS)
    throw SensorError("ENOSYS", std::string(what) + ": this kernel has no bpf() support (CONFIG_BPF_SYSCALL)");
  throw SensorError(std::string(what) == "attach" ? "EATTACH" : "ELOAD",
                    std::string(what) + " failed: " + strerror(err) + suffix);
}

bool exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

// Syscall tracepoints are found through tracefs; mount it where the kernel expects it if no one has.
void ensure_tracefs() {
  if (exists("/sys/kernel/tracing/events") || exists("/sys/kernel/debug/tracing/events")) return;
  struct stat st;
  if (stat("/sys/kernel/tracing/events", &st) != 0 && errno == EACCES)
    throw SensorError("EPERM", "tracefs (/sys/kernel/tracing) is not readable by this process: run as root or with CAP_DAC_READ_SEARCH");
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0 && errno != EBUSY) {
    int err = errno;
    throw SensorError(err == EPERM ? "EPERM" : "EATTACH",
                      std::string("tracefs is not mounted and mounting it on /sys/kernel/tracing failed: ") +
                          strerror(err) + (err == EPERM ? ": run as root or with CAP_SYS_ADMIN" : ""));
  }
}

bool is_power_of_two(uint32_t v) { return v && !(v & (v - 1)); }

bool has_dash(const SensorOptions& options) {
  for (const ShellExe& e : options.shell_exes)
    if (e.kind == ST_SHELL_DASH) return true;
  return false;
}

}  // namespace

Sensor::Sensor(const SensorOptions& options) {
  g_debug = options.debug;
  libbpf_set_print(libbpf_print);
  take_log_tail();

  if (!exists("/sys/kernel/btf/vmlinux"))
    throw SensorError("ENOBTF",
                      "this kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing; needs CONFIG_DEBUG_INFO_BTF)");
  long page = sysconf(_SC_PAGESIZE);
  if (!is_power_of_two(options.ring_bytes) || options.ring_bytes < (uint32_t)page)
    throw SensorError("EINVAL", "ring buffer size must be a power of two of at least the page size");
  if (options.args_max > ST_ARGS_LIMIT)
    throw SensorError("EINVAL", "argv bound must be at most " + std::to_string(ST_ARGS_LIMIT) + " bytes");
  if (options.typed_max == 0 || options.typed_max > ST_TYPED_LIMIT)
    throw SensorError("EINVAL", "typed-line bound must be 1.." + std::to_string(ST_TYPED_LIMIT) + " bytes");

  skel_ = sessiontop_bpf__open();
  if (!skel_) fail(errno, "open");
  try {
    ncpus_ = libbpf_num_possible_cpus();
    if (ncpus_ <= 0) ncpus_ = 1;
    skel_->rodata->args_max = options.args_max;
    skel_->rodata->typed_max = options.typed_max;
    int err = bpf_map__set_max_entries(skel_->maps.events, options.ring_bytes);
    if (!err) err = bpf_map__set_max_entries(skel_->maps.scratch_map, (uint32_t)ncpus_);
    if (err) fail(err, "configure");
    bool typed = !options.typed_targets.empty() || has_dash(options);
    bool any_readline = false, any_zle = false;
    for (const TypedTarget& t : options.typed_targets) {
      if (t.kind == TypedTarget::Kind::Readline) any_readline = true;
      else any_zle = true;
    }
    // --no-typed (or no shell found): none of the typed-line programs is loaded.
    bpf_program__set_autoload(skel_->progs.handle_readline_enter, any_readline);
    bpf_program__set_autoload(skel_->progs.handle_readline_ret, any_readline);
    bpf_program__set_autoload(skel_->progs.handle_rl_newline, any_readline);
    bpf_program__set_autoload(skel_->progs.handle_zleentry_enter, any_zle);
    bpf_program__set_autoload(skel_->progs.handle_zleentry_ret, any_zle);
    bpf_program__set_autoload(skel_->progs.handle_acceptline, any_zle);
    bpf_program__set_autoload(skel_->progs.handle_read_exit, has_dash(options));
    if (!typed) {
      bpf_map__set_autocreate(skel_->maps.shell_exes, false);
      bpf_map__set_autocreate(skel_->maps.line_targets, false);
      bpf_map__set_autocreate(skel_->maps.line_reads, false);
    }
    skel_->rodata->tty_output = options.tty_output ? 1 : 0;
    skel_->rodata->tty_rate = options.tty_rate;
    skel_->rodata->tty_max_bytes = options.tty_max_bytes;
    if (!options.tty_output) {
      // Without the capture its write hooks are not loaded at all: writes cost nothing.
      bpf_program__set_autoload(skel_->progs.handle_tty_write, false);
      bpf_program__set_autoload(skel_->progs.handle_tty_writev, false);
      bpf_program__set_autoload(skel_->progs.handle_tty_pwritev2, false);
    }
    ring_bytes_ = options.ring_bytes;

    err = sessiontop_bpf__load(skel_);
    if (err) fail(err, "load");
    ensure_tracefs();
    err = sessiontop_bpf__attach(skel_);
    if (err) fail(err, "attach");
    programs_ = 0;
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
      if (bpf_program__autoload(prog) && bpf_program__type(prog) != BPF_PROG_TYPE_KPROBE) programs_++;
    }
    if (typed) attach_typed(options);
    if (options.tty_output) watch_existing_terminals();

    rb_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), on_sample, this, nullptr);
    if (!rb_) fail(errno, "ring buffer");
  } catch (...) {
    close();
    throw;
  }
}

Sensor::~Sensor() { close(); }

void Sensor::attach_uprobe(bpf_program* prog, const std::string& path, const char* func, bool retprobe,
                           uint64_t cookie, const char* label) {
  ProbeStatus status;
  status.path = path;
  status.probe = label;
  LIBBPF_OPTS(bpf_uprobe_opts, opts);
  opts.func_name = func;
  opts.retprobe = retprobe;
  opts.bpf_cookie = cookie;
  bpf_link* link = bpf_program__attach_uprobe_opts(prog, -1, path.c_str(), 0, &opts);
  if (!link) {
    int err = errno;
    std::string detail = take_log_tail();
    status.error = std::string(strerror(err)) + (detail.empty() ? "" : " (" + detail + ")");
  } else {
    status.attached = true;
    links_.push_back(link);
    programs_++;
  }
  probes_.push_back(status);
}

// Fills the shell and line-target maps, then attaches, per shell, in the order that leaves no gap
// and no duplicate for a read already in progress: the accept-line fallback first (it reports any
// line whose read began unseen), then the return probe, then the entry probe (a read it marks is
// reported by the return probe, which was armed before it).
void Sensor::attach_typed(const SensorOptions& options) {
  for (const ShellExe& e : options.shell_exes) {
    st_exe_key key = {};
    key.ino = e.ino;
    key.dev = e.dev;
    st_shell_exe value = {};
    value.kind = e.kind;
    value.flags = e.has_line_var ? ST_EXE_LINE_VAR : 0;
    value.line_var = e.line_var;
    if (bpf_map__update_elem(skel_->maps.shell_exes, &key, sizeof(key), &value, sizeof(value), BPF_ANY) != 0)
      fail(errno, "configure");
  }
  uint32_t index = 0;
  for (const TypedTarget& t : options.typed_targets) {
    bool readline = t.kind == TypedTarget::Kind::Readline;
    if (t.has_accept && index < ST_LINE_TARGETS) {
      st_line_target target = {};
      target.line = t.line;
      target.len = t.len;
      target.context = t.context;
      target.kind = readline ? ST_SHELL_BASH : ST_SHELL_ZSH;
      target.flags = (t.bash_only ? ST_TARGET_BASH_ONLY : 0) | (t.has_line ? ST_TARGET_LINE_VAR : 0);
      if (bpf_map__update_elem(skel_->maps.line_targets, &index, sizeof(index), &target, sizeof(target), BPF_ANY) != 0)
        fail(errno, "configure");
      if (readline)
        attach_uprobe(skel_->progs.handle_rl_newline, t.accept_path, "rl_newline", false, index, "rl_newline");
      else
        attach_uprobe(skel_->progs.handle_acceptline, t.accept_path, "acceptline", false, index, "acceptline");
      index++;
    }
    uint64_t cookie = t.bash_only ? ST_COOKIE_BASH_ONLY : 0;
    if (readline) {
      attach_uprobe(skel_->progs.handle_readline_ret, t.path, "readline", true, cookie, "readline");
      attach_uprobe(skel_->progs.handle_readline_enter, t.path, "readline", false, cookie, "readline");
    } else {
      attach_uprobe(skel_->progs.handle_zleentry_ret, t.path, "zleentry", true, 0, "zleentry");
      attach_uprobe(skel_->progs.handle_zleentry_enter, t.path, "zleentry", false, 0, "zleentry");
    }
  }
  if (has_dash(options)) {
    // attached with the other tracepoints by the skeleton; the map it filters on is now filled
    ProbeStatus status;
    status.path = "tracepoint/syscalls/sys_exit_read";
    status.probe = "read(2)";
    status.attached = skel_->links.handle_read_exit != nullptr;
    if (!status.attached) status.error = "not attached";
    probes_.push_back(status);
  }
}

// Processes that already had a controlling terminal when the sensor started: the fork and exec
// hooks (attached by now) keep the watch current from here on.
void Sensor::watch_existing_terminals() {
  DIR* proc = opendir("/proc");
  if (!proc) return;
  int map_fd = bpf_map__fd(skel_->maps.tty_watched);
  uint8_t fresh[64] = {};
  if (bpf_map__value_size(skel_->maps.tty_watched) > sizeof(fresh)) {
    closedir(proc);
    throw SensorError("ELOAD", "tty_watched value is larger than expected");
  }
  char path[64];
  char buf[512];
  while (struct dirent* d = readdir(proc)) {
    char* end = nullptr;
    unsigned long pid = strtoul(d->d_name, &end, 10);
    if (!end || *end != '\0' || pid == 0) continue;
    snprintf(path, sizeof(path), "/proc/%lu/stat", pid);
    FILE* f = fopen(path, "re");
    if (!f) continue;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    // fields after the comm (which may hold anything): state ppid pgrp session tty_nr
    char* close_paren = strrchr(buf, ')');
    if (!close_paren) continue;
    char state;
    int ppid, pgrp, session, tty_nr;
    if (sscanf(close_paren + 1, " %c %d %d %d %d", &state, &ppid, &pgrp, &session, &tty_nr) != 5) continue;
    if (tty_nr == 0) continue;
    uint32_t key = (uint32_t)pid;
    bpf_map_update_elem(map_fd, &key, fresh, BPF_NOEXIST);
  }
  closedir(proc);
}

int Sensor::on_sample(void* ctx, void* data, size_t size) {
  Sensor* self = static_cast<Sensor*>(ctx);
  if (self->len_ + size > self->cap_) {
    // No room: keep this one for the next drain and stop (libbpf has already consumed it).
    self->pending_.assign(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
    return -ENOSPC;
  }
  memcpy(self->dst_ + self->len_, data, size);
  self->len_ += size;
  self->records_++;
  self->bytes_ += size;
  return 0;
}

size_t Sensor::drain(uint8_t* dst, size_t cap) {
  if (!rb_) throw SensorError("ECLOSED", "the sensor is closed");
  dst_ = dst;
  cap_ = cap;
  len_ = 0;
  if (!pending_.empty()) {
    if (pending_.size() > cap) throw SensorError("EINVAL", "drain buffer is smaller than one record");
    memcpy(dst, pending_.data(), pending_.size());
    len_ = pending_.size();
    records_++;
    bytes_ += pending_.size();
    pending_.clear();
  }
  int n = ring_buffer__consume(rb_);
  if (n < 0 && n != -ENOSPC) {
    // -ENOSPC is our own "buffer full" stop; anything else is a real error
    dst_ = nullptr;
    fail(n, "drain");
  }
  dst_ = nullptr;
  return len_;
}

int Sensor::readable_fd() const { return skel_ ? bpf_map__fd(skel_->maps.events) : -1; }

SensorStats Sensor::stats() const {
  SensorStats s;
  s.records = records_;
  s.bytes = bytes_;
  s.ring_bytes = ring_bytes_;
  s.programs = programs_;
  s.probes = probes_;
  s.lost = lost();
  return s;
}

uint64_t Sensor::lost() const {
  uint64_t total = 0;
  if (!skel_) return total;
  std::vector<uint64_t> values((size_t)ncpus_, 0);
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.lost), &zero, values.data()) == 0)
    for (uint64_t v : values) total += v;
  return total;
}

void Sensor::close() {
  for (bpf_link* link : links_) bpf_link__destroy(link);
  links_.clear();
  if (rb_) ring_buffer__free(rb_);
  rb_ = nullptr;
  if (skel_) sessiontop_bpf__destroy(skel_);
  skel_ = nullptr;
  pending_.clear();
}

int probe_ring_buffer() { return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr); }

std::string libbpf_version() {
  return std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version());
}

double boot_clock_offset_ms() {
  struct timespec real, boot, real2;
  clock_gettime(CLOCK_REALTIME, &real);
  clock_gettime(CLOCK_BOOTTIME, &boot);
  clock_gettime(CLOCK_REALTIME, &real2);
  double real_ms = ((double)real.tv_sec * 1e3 + (double)real.tv_nsec / 1e6 + (double)real2.tv_sec * 1e3 +
                    (double)real2.tv_nsec / 1e6) / 2;
  return real_ms - ((double)boot.tv_sec * 1e3 + (double)boot.tv_nsec / 1e6);
}

}  // namespace sessiontop
