// N-API glue for the sessiontop sensor: thin wrappers over sessiontop::Sensor (sensor.h).
//
//   open(options) -> Sensor   openAsync(options) -> Promise<Sensor> (loads on a worker thread)
//   drain(Uint8Array) -> bytes   stats() -> object   lost() -> number   close()
//   onReadable(cb, ms = 10)   calls cb on the JS thread (once per batch, never per record) when
//                             records are waiting, at most once per `ms` after the previous wake-up
//                             was drained; watched by libuv on the JS thread's own loop (no thread)
//   bootClockOffsetMs()       CLOCK_REALTIME - CLOCK_BOOTTIME, to turn record timestamps into wall time
//   peerGone(fd)              true when the other end of a pipe or socket is gone (poll(2) reports
//                             POLLERR or POLLHUP without waiting): stdout's reader left, even with
//                             nothing to write
//   setNonBlocking(fd)        sets O_NONBLOCK (stdout pipe writes that never block a signal)
//   probeRingBuffer()         1: the kernel has BPF ring buffers; 0: it has not, or no privilege to try
//   libbpfVersion             "MAJOR.MINOR" of the libbpf the addon runs against (the shared library)
//   new LineScanner(nodes, tape)  the byte walk of the recording line scanner (line-scanner.h) over
//                             schema nodes compiled by record-line-scanner.ts, writing into `tape`
//                             (a Float64Array it keeps): scan(buffer, from, to) -> tape length | -1;
//                             tableSize() -> strings in its table
#include <fcntl.h>
#include <napi.h>
#include <poll.h>

#include <uv.h>

#include <memory>

#include "line-scanner.h"
#include "sensor.h"
#include "sessiontop.h"

namespace {

Napi::Error to_js_error(Napi::Env env, const sessiontop::SensorError& e) {
  Napi::Error err = Napi::Error::New(env, e.what());
  err.Set("code", Napi::String::New(env, e.code()));
  return err;
}

uint32_t get_u32(const Napi::Object& o, const char* key, uint32_t fallback) {
  if (!o.Has(key) || o.Get(key).IsUndefined()) return fallback;
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("option ") + key + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 4294967295.0 || d != (double)(uint32_t)d)
    throw Napi::RangeError::New(o.Env(), std::string("option ") + key + " must be a non-negative integer");
  return (uint32_t)d;
}

bool has_value(const Napi::Object& o, const char* key) { return o.Has(key) && !o.Get(key).IsUndefined(); }

// An integer option that may be negative or above 2^32 (offsets, inode numbers).
double get_number(const Napi::Object& o, const char* key, double fallback) {
  if (!has_value(o, key)) return fallback;
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("option ") + key + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != (double)(int64_t)d) throw Napi::RangeError::New(o.Env(), std::string("option ") + key + " must be an integer");
  return d;
}

sessiontop::SensorOptions parse_options(Napi::Env env, const Napi::Value& value) {
  sessiontop::SensorOptions options;
  if (!value.IsObject()) return options;
  Napi::Object o = value.As<Napi::Object>();
  options.ring_bytes = get_u32(o, "ringBytes", options.ring_bytes);
  options.args_max = get_u32(o, "argsMax", options.args_max);
  options.typed_max = get_u32(o, "typedMax", options.typed_max);
  options.debug = o.Has("debug") && o.Get("debug").ToBoolean().Value();
  options.tty_output = o.Has("ttyOutput") && o.Get("ttyOutput").ToBoolean().Value();
  options.tty_rate = get_u32(o, "ttyRate", options.tty_rate);
  options.tty_max_bytes = get_u32(o, "ttyMaxBytes", (uint32_t)options.tty_max_bytes);
  if (o.Has("shells") && o.Get("shells").IsArray()) {
    Napi::Array arr = o.Get("shells").As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Value item = arr.Get(i);
      if (!item.IsObject()) throw Napi::TypeError::New(env, "shells must be {dev, ino, kind, lineVar?}");
      Napi::Object e = item.As<Napi::Object>();
      sessiontop::ShellExe exe;
      exe.dev = get_u32(e, "dev", 0);
      exe.ino = (uint64_t)get_number(e, "ino", 0);
      exe.kind = get_u32(e, "kind", 0);
      exe.has_line_var = has_value(e, "lineVar");
      exe.line_var = (int64_t)get_number(e, "lineVar", 0);
      options.shell_exes.push_back(exe);
    }
  }
  if (o.Has("typedTargets") && o.Get("typedTargets").IsArray()) {
    Napi::Array arr = o.Get("typedTargets").As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Value item = arr.Get(i);
      if (!item.IsObject()) throw Napi::TypeError::New(env, "typed targets must be {kind, path, ...}");
      Napi::Object t = item.As<Napi::Object>();
      sessiontop::TypedTarget target;
      std::string kind = t.Get("kind").ToString().Utf8Value();
      if (kind != "readline" && kind != "zle") throw Napi::TypeError::New(env, "typed target kind must be readline or zle");
      target.kind = kind == "zle" ? sessiontop::TypedTarget::Kind::Zle : sessiontop::TypedTarget::Kind::Readline;
      target.path = t.Get("path").ToString().Utf8Value();
      target.bash_only = t.Has("bashOnly") && t.Get("bashOnly").ToBoolean().Value();
      target.has_accept = has_value(t, "acceptPath");
      if (target.has_accept) target.accept_path = t.Get("acceptPath").ToString().Utf8Value();
      target.has_line = has_value(t, "line");
      target.line = (int64_t)get_number(t, "line", 0);
      target.len = (int64_t)get_number(t, "len", 0);
      target.context = (int64_t)get_number(t, "context", 0);
      options.typed_targets.push_back(target);
    }
  }
  return options;
}

class SensorHandle : public Napi::ObjectWrap<SensorHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Sensor",
                       {InstanceMethod("drain", &SensorHandle::Drain), InstanceMethod("stats", &SensorHandle::Stats),
                        InstanceMethod("lost", &SensorHandle::Lost),
                        InstanceMethod("close", &SensorHandle::Close),
                        InstanceMethod("onReadable", &SensorHandle::OnReadable)});
  }

  // new Sensor(options) loads synchronously; new Sensor(External<Sensor>) adopts one loaded by
  // openAsync on a worker thread.
  explicit SensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SensorHandle>(info) {
    Napi::Env env = info.Env();
    if (info.Length() > 0 && info[0].IsExternal()) {
      sensor_.reset(info[0].As<Napi::External<sessiontop::Sensor>>().Data());
      return;
    }
    sessiontop::SensorOptions options = parse_options(env, info.Length() > 0 ? info[0] : env.Undefined());
    try {
      sensor_ = std::make_unique<sessiontop::Sensor>(options);
    } catch (const sessiontop::SensorError& e) {
      throw to_js_error(env, e);
    }
  }

  ~SensorHandle() override { StopWatcher(); }

 private:
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw Napi::TypeError::New(env, "drain(buffer) needs a Uint8Array");
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    size_t n;
    try {
      n = sensor_->drain(buf.Data(), buf.ByteLength());
    } catch (const sessiontop::SensorError& e) {
      throw to_js_error(env, e);
    }
    Rearm();
    return Napi::Number::New(env, (double)n);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    sessiontop::SensorStats s = sensor_->stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("lost", Napi::Number::New(env, (double)s.lost));
    o.Set("records", Napi::Number::New(env, (double)s.records));
    o.Set("bytes", Napi::Number::New(env, (double)s.bytes));
    o.Set("ringBytes", Napi::Number::New(env, s.ring_bytes));
    o.Set("programs", Napi::Number::New(env, s.programs));
    Napi::Array probes = Napi::Array::New(env, s.probes.size());
    for (size_t i = 0; i < s.probes.size(); i++) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("path", s.probes[i].path);
      p.Set("probe", s.probes[i].probe);
      p.Set("attached", s.probes[i].attached);
      if (!s.probes[i].error.empty()) p.Set("error", s.probes[i].error);
      probes.Set((uint32_t)i, p);
    }
    o.Set("probes", probes);
    o.Set("closed", Napi::Boolean::New(env, sensor_->closed()));
    return o;
  }

  // Just the lost counter: cheap enough to read after every drain.
  Napi::Value Lost(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), (double)sensor_->lost());
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    StopWatcher();
    sensor_->close();
    return info.Env().Undefined();
  }

  // Watches the ring buffer's descriptor on the JS thread's libuv loop and, when records arrive,
  // calls `callback` there; the watch then stays off until the next drain() plus `coalesceMs`, so
  // there is one wake-up per batch however many records it holds, and no thread of our own (a
  // watcher thread cost a context switch or two per batch, a VM exit each here).
  Napi::Value OnReadable(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "onReadable(callback[, coalesceMs])");
    int coalesce = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 10;
    if (coalesce < 0 || coalesce > 1000) throw Napi::RangeError::New(env, "coalesceMs must be 0..1000");
    if (sensor_->closed()) throw Napi::Error::New(env, "the sensor is closed");
    StopWatcher();
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) throw Napi::Error::New(env, "no event loop");
    coalesce_ms_ = coalesce;
    env_ = env;
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    poll_ = new uv_poll_t;
    timer_ = new uv_timer_t;
    int rc = uv_poll_init(loop, poll_, sensor_->readable_fd());
    if (rc != 0) {
      delete poll_;
      delete timer_;
      poll_ = nullptr;
      timer_ = nullptr;
      callback_.Reset();
      throw Napi::Error::New(env, std::string("cannot watch the ring buffer: ") + uv_strerror(rc));
    }
    uv_timer_init(loop, timer_);
    poll_->data = this;
    timer_->data = this;
    // the process may exit while we watch (the owner's timers decide that)
    uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
    waiting_ = true;
    uv_poll_start(poll_, UV_READABLE, &SensorHandle::OnPoll);
    return env.Undefined();
  }

  static void OnPoll(uv_poll_t* handle, int status, int events) {
    SensorHandle* self = static_cast<SensorHandle*>(handle->data);
    // once per batch: off until drain() re-arms it
    uv_poll_stop(handle);
    self->waiting_ = false;
    (void)status;
    (void)events;
    Napi::Env env = self->env_;
    Napi::HandleScope scope(env);
    try {
      self->callback_.MakeCallback(env.Global(), {});
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }

  static void OnTimer(uv_timer_t* handle) {
    SensorHandle* self = static_cast<SensorHandle*>(handle->data);
    if (self->poll_ != nullptr && !self->waiting_) {
      self->waiting_ = true;
      uv_poll_start(self->poll_, UV_READABLE, &SensorHandle::OnPoll);
    }
  }

  // After a drain: listen again, after `coalesceMs` to let records gather (the descriptor reports
  // records that arrived meanwhile as soon as it is watched again).
  void Rearm() {
    if (poll_ == nullptr || waiting_ || uv_is_active(reinterpret_cast<uv_handle_t*>(timer_))) return;
    if (coalesce_ms_ == 0) {
      OnTimer(timer_);
      return;
    }
    uv_timer_start(timer_, &SensorHandle::OnTimer, (uint64_t)coalesce_ms_, 0);
  }

  void StopWatcher() {
    if (poll_ == nullptr) return;
    uv_poll_stop(poll_);
    uv_timer_stop(timer_);
    // freed by libuv's close callbacks, after which no callback can reach this handle
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    poll_ = nullptr;
    timer_ = nullptr;
    waiting_ = false;
    callback_.Reset();
  }

  std::unique_ptr<sessiontop::Sensor> sensor_;
  napi_env env_ = nullptr;
  Napi::FunctionReference callback_;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  bool waiting_ = false;
  int coalesce_ms_ = 10;
};

// Loads and attaches on a libuv worker thread (the verifier takes a while), resolving to a Sensor.
class OpenWorker : public Napi::AsyncWorker {
 public:
  OpenWorker(Napi::Env env, sessiontop::SensorOptions options)
      : Napi::AsyncWorker(env), options_(std::move(options)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      sensor_ = std::make_unique<sessiontop::Sensor>(options_);
    } catch (const sessiontop::SensorError& e) {
      code_ = e.code();
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::FunctionReference* ctor = env.GetInstanceData<Napi::FunctionReference>();
    sessiontop::Sensor* raw = sensor_.release();
    deferred_.Resolve(ctor->New({Napi::External<sessiontop::Sensor>::New(env, raw)}));
  }

  void OnError(const Napi::Error& error) override {
    Napi::Error err = Napi::Error::New(Env(), error.Message());
    err.Set("code", Napi::String::New(Env(), code_.empty() ? "ELOAD" : code_));
    deferred_.Reject(err.Value());
  }

 private:
  sessiontop::SensorOptions options_;
  std::unique_ptr<sessiontop::Sensor> sensor_;
  std::string code_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value OpenAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  OpenWorker* worker = new OpenWorker(env, parse_options(env, info.Length() > 0 ? info[0] : env.Undefined()));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value BootClockOffsetMs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), sessiontop::boot_clock_offset_ms());
}

Napi::Value PeerGone(const Napi::CallbackInfo& info) {
  struct pollfd p = {info[0].As<Napi::Number>().Int32Value(), 0, 0};
  int n = poll(&p, 1, 0);
  return Napi::Boolean::New(info.Env(), n == 1 && (p.revents & (POLLERR | POLLHUP)) != 0);
}

Napi::Value SetNonBlocking(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int flags = fcntl(fd, F_GETFL);
  bool ok = flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
  return Napi::Boolean::New(info.Env(), ok);
}

Napi::Value ProbeRingBuffer(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), sessiontop::probe_ring_buffer());
}

// ---- the recording line scanner's byte walk (line-scanner.h)

double node_number(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

// An integer field of a node in [lo, hi] (a RangeError otherwise: never a cast of NaN or of a
// value out of range).
int node_int(const Napi::Object& o, const char* key, int fallback, int lo, int hi) {
  double d = node_number(o, key, fallback);
  if (!(d >= lo && d <= hi) || d != static_cast<double>(static_cast<int>(d)))
    throw Napi::RangeError::New(o.Env(), std::string("LineScanner: node field ") + key + " out of range");
  return static_cast<int>(d);
}

std::vector<std::string> node_strings(const Napi::Object& o, const char* key) {
  std::vector<std::string> out;
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  return out;
}

std::vector<int> node_ints(const Napi::Object& o, const char* key) {
  std::vector<int> out;
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::Number>().Int32Value());
  return out;
}

class LineScannerHandle : public Napi::ObjectWrap<LineScannerHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "LineScanner",
                       {InstanceMethod("scan", &LineScannerHandle::Scan), InstanceMethod("tableSize", &LineScannerHandle::TableSize)});
  }

  // new LineScanner(nodes, tape): nodes as record-line-scanner.ts compiles them (nodes[0]: the line)
  explicit LineScannerHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LineScannerHandle>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsTypedArray() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      throw Napi::TypeError::New(env, "LineScanner(nodes, tape: Float64Array)");
    Napi::Array list = info[0].As<Napi::Array>();
    std::vector<sessiontop::ScanNode> nodes(list.Length());
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Object o = list.Get(i).As<Napi::Object>();
      sessiontop::ScanNode& n = nodes[i];
      n.type = node_int(o, "type", 0, sessiontop::kUnsupported, sessiontop::kBoolean);
      n.use = node_int(o, "use", 0, sessiontop::kCheck, sessiontop::kSkeleton);
      n.keys = node_strings(o, "keys");
      n.children = node_ints(o, "children");
      for (int r : node_ints(o, "required")) n.required.push_back(r != 0 ? 1 : 0);
      for (uint8_t r : n.required) n.required_count += r;
      n.items = node_int(o, "items", -1, -1, INT32_MAX);
      n.date_time = o.Get("dateTime").ToBoolean().Value();
      n.digits_min = node_int(o, "digitsMin", 0, 0, 1 << 20);
      n.digits_max = node_int(o, "digitsMax", 0, 0, 1 << 20);
      n.enum_values = node_strings(o, "enumValues");
      n.js_test = o.Get("jsTest").ToBoolean().Value();
      n.minimum = node_number(o, "minimum", n.minimum);
      n.maximum = node_number(o, "maximum", n.maximum);
      n.exclusive_minimum = node_number(o, "exclusiveMinimum", n.exclusive_minimum);
      n.exclusive_maximum = node_number(o, "exclusiveMaximum", n.exclusive_maximum);
    }
    // a tree numbered in walk order: every child (and an array's items) after its node, so the
    // walk's recursion follows the schema's depth, never the line's
    for (size_t i = 0; i < nodes.size(); i++) {
      const sessiontop::ScanNode& n = nodes[i];
      const long self = static_cast<long>(i);
      bool ok = n.children.size() == n.keys.size() && n.required.size() == n.keys.size() &&
                (n.type != sessiontop::kArray || (n.items > self && static_cast<size_t>(n.items) < nodes.size()));
      for (int c : n.children) ok = ok && c > self && static_cast<size_t>(c) < nodes.size();
      if (!ok) throw Napi::RangeError::New(env, "LineScanner: node " + std::to_string(i) + " is not well formed");
    }
    Napi::Float64Array tape = info[1].As<Napi::Float64Array>();
    tape_ref_ = Napi::Persistent(tape);
    tape_ = tape.Data();
    capacity_ = tape.ElementLength();
    scanner_ = std::make_unique<sessiontop::LineScanner>(std::move(nodes));
  }

 private:
  // scan(buffer, from, to) -> the tape's length, or -1: not understood
  Napi::Value Scan(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Uint8Array b = info[0].As<Napi::Uint8Array>();
    double from = info[1].As<Napi::Number>().DoubleValue();
    double to = info[2].As<Napi::Number>().DoubleValue();
    const double length = static_cast<double>(b.ElementLength());
    if (!(from >= 0 && from <= to && to <= length)) throw Napi::RangeError::New(env, "scan: the line is outside the buffer");
    int n = scanner_->Scan(b.Data(), static_cast<size_t>(from), static_cast<size_t>(to), tape_, capacity_);
    return Napi::Number::New(env, n);
  }

  Napi::Value TableSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), scanner_->table_size()); }

  std::unique_ptr<sessiontop::LineScanner> scanner_;
  Napi::Reference<Napi::Float64Array> tape_ref_;
  double* tape_ = nullptr;
  size_t capacity_ = 0;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = SensorHandle::Define(env);
  Napi::FunctionReference* ref = new Napi::FunctionReference(Napi::Persistent(ctor));
  env.SetInstanceData(ref);
  exports.Set("Sensor", ctor);
  exports.Set("open", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                Napi::FunctionReference* ctor = info.Env().GetInstanceData<Napi::FunctionReference>();
                if (info.Length() > 0) return ctor->New({info[0]});
                return ctor->New({});
              }));
  exports.Set("openAsync", Napi::Function::New(env, OpenAsync));
  exports.Set("LineScanner", LineScannerHandle::Define(env));
  exports.Set("bootClockOffsetMs", Napi::Function::New(env, BootClockOffsetMs));
  exports.Set("peerGone", Napi::Function::New(env, PeerGone));
  exports.Set("setNonBlocking", Napi::Function::New(env, SetNonBlocking));
  exports.Set("probeRingBuffer", Napi::Function::New(env, ProbeRingBuffer));
  exports.Set("libbpfVersion", Napi::String::New(env, sessiontop::libbpf_version()));
  exports.Set("recordVersion", Napi::Number::New(env, ST_RECORD_VERSION));
  exports.Set("headerSize", Napi::Number::New(env, ST_HEADER_SIZE));
  exports.Set("argsLimit", Napi::Number::New(env, ST_ARGS_LIMIT));
  exports.Set("typedLimit", Napi::Number::New(env, ST_TYPED_LIMIT));
  exports.Set("ttyChunk", Napi::Number::New(env, ST_TTY_CHUNK));
  return exports;
}

}  // namespace

NODE_API_MODULE(sessiontop, Init)
