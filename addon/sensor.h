// sessiontop sensor lifecycle: loads the CO-RE BPF programs, attaches them, drains the ring buffer.
// Plain C++ over libbpf; knows nothing of Node (the N-API glue is addon.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

struct sessiontop_bpf;
struct ring_buffer;
struct bpf_link;
struct bpf_program;

namespace sessiontop {

// A shell binary found at start, by inode (the kernel filters typed-line probes on it).
struct ShellExe {
  uint32_t dev = 0;        // st_dev in the kernel's encoding (major << 20 | minor)
  uint64_t ino = 0;
  uint32_t kind = 0;       // enum st_shell
  int64_t line_var = 0;    // bash: rl_line_buffer's offset from mm->start_code
  bool has_line_var = false;
};

// Where the typed-line uprobes of one shell go.
struct TypedTarget {
  enum class Kind { Readline, Zle };
  Kind kind = Kind::Readline;
  std::string path;        // ELF file: bash or libreadline.so (Readline); zsh (Zle: zleentry)
  bool bash_only = false;  // Readline in a shared library: only executables in shell_exes count
  // The accept-line fallback: bash's rl_newline (in `path`), or zsh's acceptline (in `accept_path`,
  // zle.so), with the offsets of the line editor's globals from that function (st_line_target).
  std::string accept_path;
  bool has_accept = false;
  int64_t line = 0, len = 0, context = 0;
  bool has_line = false;
};

struct SensorOptions {
  uint32_t ring_bytes = 16u << 20;  // power of two, multiple of the page size
  uint32_t args_max = 16384;        // argv bytes kept per exec (<= 65536)
  uint32_t typed_max = 1024;        // typed-line bytes kept (<= 4096)
  // Typed-line capture: all empty, no typed-line program is loaded at all.
  std::vector<TypedTarget> typed_targets;
  std::vector<ShellExe> shell_exes;  // shells found at start; dash ones turn on the read(2) probe
  bool tty_output = false;          // terminal output capture (its write hooks load only then)
  uint32_t tty_rate = 65536;        // terminal output bytes per process per second (0: unbounded)
  uint64_t tty_max_bytes = 1u << 20;  // terminal output bytes per process in total (0: unbounded)
  bool debug = false;               // libbpf's messages to stderr
};

// An error with a stable code: EPERM, ENOBTF, ENOSYS, EINVAL, ELOAD, EATTACH, ECLOSED.
class SensorError : public std::runtime_error {
 public:
  SensorError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

struct ProbeStatus {
  std::string path;
  std::string probe;  // what is probed there: readline, rl_newline, zleentry, acceptline, read(2)
  bool attached = false;
  std::string error;
};

struct SensorStats {
  uint64_t lost = 0;       // records the kernel could not reserve (ring buffer full)
  uint64_t records = 0;    // records drained
  uint64_t bytes = 0;      // bytes drained
  uint32_t ring_bytes = 0;
  uint32_t programs = 0;   // programs attached
  std::vector<ProbeStatus> probes;  // typed-line probes
};

class Sensor {
 public:
  explicit Sensor(const SensorOptions& options);  // loads and attaches; throws SensorError
  ~Sensor();
  Sensor(const Sensor&) = delete;
  Sensor& operator=(const Sensor&) = delete;

  // Copies whole records into dst (at most cap bytes) without blocking; returns bytes written.
  // A record that does not fit is kept and returned first by the next call.
  size_t drain(uint8_t* dst, size_t cap);
  // The ring buffer's descriptor: poll(2)/epoll report it readable while records wait (the
  // kernel wakes waiters at most once per 10 ms, see the BPF side). -1 once closed.
  int readable_fd() const;
  SensorStats stats() const;
  uint64_t lost() const;
  void close();
  bool closed() const { return skel_ == nullptr; }

 private:
  static int on_sample(void* ctx, void* data, size_t size);
  void attach_typed(const SensorOptions& options);
  void attach_uprobe(bpf_program* prog, const std::string& path, const char* func, bool retprobe, uint64_t cookie,
                     const char* label);
  void watch_existing_terminals();

  sessiontop_bpf* skel_ = nullptr;
  ring_buffer* rb_ = nullptr;
  std::vector<bpf_link*> links_;
  std::vector<ProbeStatus> probes_;
  std::vector<uint8_t> pending_;  // a record that did not fit the last drain
  uint8_t* dst_ = nullptr;
  size_t cap_ = 0;
  size_t len_ = 0;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
  uint32_t ring_bytes_ = 0;
  uint32_t programs_ = 0;
  int ncpus_ = 1;
};

// CLOCK_REALTIME - CLOCK_BOOTTIME in milliseconds: add to a record's ts_ns / 1e6 for wall time.
double boot_clock_offset_ms();

// Whether the kernel has BPF ring buffers: 1 yes; 0 no, or this process may not create BPF maps
// (libbpf's probe cannot tell the two apart); a negative errno on other errors.
int probe_ring_buffer();

// "MAJOR.MINOR" of the libbpf shared library loaded at run time (not the headers built against).
std::string libbpf_version();

}  // namespace sessiontop
