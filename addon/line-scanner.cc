// The byte walk of the recording line scanner: see line-scanner.h.
#include "line-scanner.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

namespace sessiontop {

namespace {

// The string table: slots (a power of two), bytes, and the longest string kept. It is emptied at the
// start of a line once half full, and a line that would fill it past three quarters gets its
// remaining strings as raw ones: it is never emptied in the middle of a line.
constexpr size_t kTableSlots = size_t{1} << 15;
constexpr size_t kArenaBytes = size_t{1} << 20;
constexpr long kMaxKeptBytes = 256;
// Object memos: objects this long are remembered (shorter ones cost less to walk again).
constexpr long kMemoMinBytes = 40;
constexpr long kMemoMaxBytes = 1024;

// Entries of a tape operation, its code included.
inline size_t OpLength(int op) {
  switch (op) {
    case kOpNumber: case kOpBool: case kOpString: return 3;
    case kOpNewString: return 6;
    case kOpRawString: return 5;
    case kOpEnd: return 1;
    default: return 2;
  }
}

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

inline bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

// The two digits at `at` as a number, -1 when they are not two digits.
inline int Two(const uint8_t* b, size_t at) {
  return IsDigit(b[at]) && IsDigit(b[at + 1]) ? (b[at] - '0') * 10 + (b[at + 1] - '0') : -1;
}

// Hours 00-23, ':', minutes 00-59 at `at`.
inline bool HourMinute(const uint8_t* b, size_t at) {
  int h = Two(b, at), m = Two(b, at + 3);
  return h >= 0 && h <= 23 && b[at + 2] == ':' && m >= 0 && m <= 59;
}

int Hex4(const uint8_t* b, long at) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t c = b[at + i];
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

// Bytes of the well-formed UTF-8 sequence at `pos` (first byte >= 0x80), -1 when it is not one:
// the shortest form of a scalar value (no surrogates, nothing over U+10FFFF).
long Utf8Sequence(const uint8_t* b, long pos, long end) {
  uint8_t c = b[pos];
  auto cont = [&](long i, uint8_t lo, uint8_t hi) { return i < end && b[i] >= lo && b[i] <= hi; };
  if (c >= 0xc2 && c <= 0xdf) return cont(pos + 1, 0x80, 0xbf) ? 2 : -1;
  if (c >= 0xe0 && c <= 0xef) {
    uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    return cont(pos + 1, lo, hi) && cont(pos + 2, 0x80, 0xbf) ? 3 : -1;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    return cont(pos + 1, lo, hi) && cont(pos + 2, 0x80, 0xbf) && cont(pos + 3, 0x80, 0xbf) ? 4 : -1;
  }
  return -1;
}

uint64_t Hash(const uint8_t* p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 29);
}

// Whether b[from, to) (ASCII) is an ISO 8601 date-time as ISO_DATE_TIME_PATTERN (ecs-time.ts) has it:
// a real day (29 February in leap years), hh:mm:ss, an optional fraction, then Z or +hh:mm.
bool IsIsoDateTime(const uint8_t* b, size_t from, size_t to) {
  if (to < from || to - from < 20 || b[from + 4] != '-' || b[from + 7] != '-' || b[from + 10] != 'T') return false;
  int century = Two(b, from), yy = Two(b, from + 2), month = Two(b, from + 5), day = Two(b, from + 8);
  if (century < 0 || yy < 0 || day < 1) return false;
  if (month == 2) {
    if (day > 29) return false;
    if (day == 29 && (yy == 0 ? century % 4 != 0 : yy % 4 != 0)) return false;
  } else if (month == 4 || month == 6 || month == 9 || month == 11) {
    if (day > 30) return false;
  } else if (month < 1 || month > 12 || day > 31) {
    return false;
  }
  if (!HourMinute(b, from + 11) || b[from + 16] != ':') return false;
  int s = Two(b, from + 17);
  if (s < 0 || s > 59) return false;
  size_t i = from + 19;
  if (b[i] == '.') {
    i++;
    size_t first = i;
    while (i < to && IsDigit(b[i])) i++;
    if (i == first) return false;
  }
  if (i >= to) return false;
  uint8_t zone = b[i];
  if (zone == 'Z') return i + 1 == to;
  return (zone == '+' || zone == '-') && i + 6 == to && HourMinute(b, i + 1);
}

}  // namespace

LineScanner::LineScanner(std::vector<ScanNode> nodes)
    : nodes_(std::move(nodes)), state_(nodes_.size()), entries_(kTableSlots), arena_(kArenaBytes) {
  memos_.resize(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); i++) {
    state_[i].follow.assign(nodes_[i].keys.size() + 1, 0);
    state_[i].seen.assign(nodes_[i].keys.size(), 0);
    if (i != 0 && nodes_[i].type == kObject && nodes_[i].use != kBuild) memos_[i] = std::make_unique<ObjectMemo>();
  }
}

int LineScanner::Scan(const uint8_t* b, size_t from, size_t to, double* tape, size_t capacity) {
  if (nodes_.empty() || nodes_[0].type != kObject) return -1;
  b_ = b;
  end_ = static_cast<long>(to);
  tape_ = tape;
  capacity_ = capacity;
  length_ = 0;
  added_.clear();
  table_full_ = false;
  if (filled_ > kTableSlots / 2 || arena_used_ > kArenaBytes / 2) {
    for (Entry& e : entries_) e.used = false;
    filled_ = 0;
    next_id_ = 0;
    arena_used_ = 0;
    generation_++;
  }
  arena_at_line_ = arena_used_;
  long pos = Ws(static_cast<long>(from));
  if (pos < end_ && b_[pos] == '{') {
    pos = Object(0, pos + 1);
    if (pos >= 0 && Ws(pos) == end_) return static_cast<int>(length_);
  }
  Rollback();
  return -1;
}

// The strings this line added to the table go again: the TypeScript side did not keep them. They
// are the newest entries, so no probe sequence of an older one runs through their slots; the memos
// that may hold them are void from now on.
void LineScanner::Rollback() {
  if (added_.empty()) return;  // the memos kept meanwhile hold only entries still there
  for (uint32_t slot : added_) entries_[slot].used = false;
  filled_ -= static_cast<uint32_t>(added_.size());
  next_id_ -= static_cast<uint32_t>(added_.size());
  arena_used_ = arena_at_line_;
  added_.clear();
  generation_++;
}

bool LineScanner::Put(double v) {
  if (length_ >= capacity_) return false;
  tape_[length_++] = v;
  return true;
}

long LineScanner::Ws(long pos) const {
  while (pos < end_) {
    uint8_t c = b_[pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    pos++;
  }
  return pos;
}

long LineScanner::Value(int ni, long pos) {
  if (pos >= end_) return -1;
  const ScanNode& n = nodes_[ni];
  uint8_t c = b_[pos];
  switch (n.type) {
    case kObject:
      return c == '{' ? Object(ni, pos + 1) : -1;
    case kString:
      return c == '"' ? String(ni, pos + 1) : -1;
    case kInteger:
    case kNumber: {
      if (c != '-' && !IsDigit(c)) return -1;
      double v = 0;
      pos = Number(pos, &v);
      if (pos < 0 || !std::isfinite(v)) return -1;
      if (n.type == kInteger && std::trunc(v) != v) return -1;
      if (v < n.minimum || v > n.maximum || v <= n.exclusive_minimum || v >= n.exclusive_maximum) return -1;
      if (n.use != kCheck && !(Put(kOpNumber) && Put(ni) && Put(v))) return -1;
      return pos;
    }
    case kBoolean: {
      int v;
      if (c == 't' && pos + 4 <= end_ && std::memcmp(b_ + pos, "true", 4) == 0) v = 1;
      else if (c == 'f' && pos + 5 <= end_ && std::memcmp(b_ + pos, "false", 5) == 0) v = 0;
      else return -1;
      if (n.use != kCheck && !(Put(kOpBool) && Put(ni) && Put(v))) return -1;
      return pos + (v ? 4 : 5);
    }
    case kArray:
      return c == '[' ? Array(ni, pos + 1) : -1;
    default:
      return -1;
  }
}

int LineScanner::Key(const ScanNode& n, long at, long length) const {
  for (size_t i = 0; i < n.keys.size(); i++) {
    const std::string& k = n.keys[i];
    if (static_cast<long>(k.size()) == length && std::memcmp(k.data(), b_ + at, length) == 0) return static_cast<int>(i);
  }
  return -1;
}

// An object after its '{': a remembered one again, or its members walked (and remembered).
long LineScanner::Object(int ni, long pos) {
  ObjectMemo* memo = memos_[ni].get();
  if (memo != nullptr && memo->payoff.Look()) {
    const long at = Recall(*memo, pos - 1);
    if (at != -1) return at < 0 ? -1 : at;
  }
  const size_t tape_at = length_;
  const long stop = Members(ni, pos);
  if (stop >= 0 && memo != nullptr && memo->payoff.looking()) Remember(*memo, pos - 1, stop, tape_at);
  return stop;
}

// The end of a remembered object that the bytes at `open` repeat (its tape written again), -1 when
// none does, -2 when the tape is full.
long LineScanner::Recall(ObjectMemo& m, long open) {
  int i = m.last;
  for (int tried = 0; tried < ObjectMemo::kEntries; tried++, i = i + 1 == ObjectMemo::kEntries ? 0 : i + 1) {
    const long length = m.length[i];
    if (length == 0 || m.generation[i] != generation_ || open + length > end_ || b_[open + length - 1] != '}' ||
        std::memcmp(m.bytes[i].data(), b_ + open, length) != 0)
      continue;
    const std::vector<double>& seg = m.tape[i];
    if (length_ + seg.size() > capacity_) return -2;
    double* out = tape_ + length_;
    for (size_t k = 0; k < seg.size();) {
      const int op = static_cast<int>(seg[k]);
      const size_t n = OpLength(op);
      for (size_t j = 0; j < n; j++) out[k + j] = seg[k + j];
      if (op == kOpRawString) {
        out[k + 2] += open;
        out[k + 3] += open;
      }
      k += n;
    }
    length_ += seg.size();
    m.payoff.Hit();
    m.last = i;
    return open + length;
  }
  return -1;
}

// Keeps the object just walked, b_[open, stop), and the tape it wrote from `tape_at` on.
void LineScanner::Remember(ObjectMemo& m, long open, long stop, size_t tape_at) {
  const long length = stop - open;
  if (length < kMemoMinBytes) {
    m.payoff.Pause();
    return;
  }
  if (length > kMemoMaxBytes) return;
  const int i = m.next;
  m.next = i + 1 == ObjectMemo::kEntries ? 0 : i + 1;
  m.bytes[i].assign(b_ + open, b_ + stop);
  m.length[i] = static_cast<uint32_t>(length);
  m.generation[i] = generation_;
  m.last = i;
  std::vector<double>& seg = m.tape[i];
  seg.clear();
  for (size_t k = tape_at; k < length_;) {
    const int op = static_cast<int>(tape_[k]);
    if (op == kOpNewString) {
      // in the table now: a string met before, the next time
      seg.push_back(kOpString);
      seg.push_back(tape_[k + 1]);
      seg.push_back(tape_[k + 2]);
    } else if (op == kOpRawString) {
      seg.push_back(op);
      seg.push_back(tape_[k + 1]);
      seg.push_back(tape_[k + 2] - open);
      seg.push_back(tape_[k + 3] - open);
      seg.push_back(tape_[k + 4]);
    } else {
      for (size_t j = 0; j < OpLength(op); j++) seg.push_back(tape_[k + j]);
    }
    k += OpLength(op);
  }
}

// The members of an object after its '{'.
long LineScanner::Members(int ni, long pos) {
  const ScanNode& n = nodes_[ni];
  NodeState& st = state_[ni];
  const uint64_t visit = ++visit_;
  if (n.use == kSkeleton && ni != 0 && !(Put(kOpSkeleton) && Put(ni))) return -1;
  if (n.use == kBuild && !(Put(kOpObject) && Put(ni))) return -1;
  int required = 0;
  pos = Ws(pos);
  if (pos < end_ && b_[pos] == '}') {
    if (n.required_count != 0) return -1;
    if (n.use == kBuild && !Put(kOpEnd)) return -1;
    return pos + 1;
  }
  const int count = static_cast<int>(n.keys.size());
  if (count == 0) return -1;  // a key it does not know
  int previous = count;       // the object's start
  for (;;) {
    if (pos >= end_ || b_[pos] != '"') return -1;
    const long key_start = ++pos;
    // the key that followed the previous one last time, then any key
    int k = st.follow[previous];
    const std::string& expected = n.keys[k];
    const long length = static_cast<long>(expected.size());
    if (length > 0 && key_start + length < end_ && b_[key_start + length] == '"' &&
        std::memcmp(b_ + key_start, expected.data(), length) == 0) {
      pos = key_start + length;
    } else {
      for (;;) {
        if (pos >= end_) return -1;
        uint8_t c = b_[pos];
        if (c == '"') break;
        if (c == '\\' || c < 0x20 || c > 0x7e) return -1;
        pos++;
      }
      k = Key(n, key_start, pos - key_start);
      if (k < 0) return -1;
      st.follow[previous] = k;
    }
    previous = k;
    if (st.seen[k] == visit) return -1;  // a key given twice: JSON.parse keeps the last
    st.seen[k] = visit;
    pos++;
    if (pos < end_ && b_[pos] == ':') {
      pos++;
    } else {
      pos = Ws(pos);
      if (pos >= end_ || b_[pos] != ':') return -1;
      pos++;
    }
    pos = Value(n.children[k], Ws(pos));
    if (pos < 0) return -1;
    required += n.required[k];
    bool more = false;
    pos = Next(pos, '}', &more);
    if (pos < 0) return -1;
    if (more) continue;
    if (required != n.required_count) return -1;
    if (n.use == kBuild && !Put(kOpEnd)) return -1;
    return pos;
  }
}

// The elements of an array after its '['.
long LineScanner::Array(int ni, long pos) {
  const ScanNode& n = nodes_[ni];
  const bool build = n.use != kCheck;
  if (build && !(Put(kOpArray) && Put(ni))) return -1;
  pos = Ws(pos);
  if (pos < end_ && b_[pos] == ']') return build && !Put(kOpEnd) ? -1 : pos + 1;
  for (;;) {
    pos = Value(n.items, pos);
    if (pos < 0) return -1;
    bool more = false;
    pos = Next(pos, ']', &more);
    if (pos < 0) return -1;
    if (more) continue;
    return build && !Put(kOpEnd) ? -1 : pos;
  }
}

// After a member or an element: past its ',' and the whitespace after it (*more set), or past the
// closing `close`; -1 when neither follows.
long LineScanner::Next(long pos, uint8_t close, bool* more) const {
  pos = Ws(pos);
  if (pos >= end_) return -1;
  if (b_[pos] == ',') {
    *more = true;
    return Ws(pos + 1);
  }
  *more = false;
  return b_[pos] == close ? pos + 1 : -1;
}

// A string value after its opening quote: checked against its node, written when kept or tested.
long LineScanner::String(int ni, long pos) {
  bool escaped = false, wide = false;
  const long stop = SkipString(pos, &escaped, &wide);
  if (stop < 0) return -1;
  const ScanNode& n = nodes_[ni];
  const long from = pos, to = stop - 1;
  // the checks done here take plain ASCII only: anything else is read the usual way
  if (n.date_time) {
    if (escaped || wide || !IsIsoDateTime(b_, from, to)) return -1;
  } else if (n.digits_max > 0) {
    if (escaped || wide || to - from < n.digits_min || to - from > n.digits_max) return -1;
    for (long i = from; i < to; i++)
      if (!IsDigit(b_[i])) return -1;
  } else if (!n.enum_values.empty()) {
    if (escaped || wide) return -1;
    bool found = false;
    for (const std::string& v : n.enum_values) {
      if (static_cast<long>(v.size()) == to - from && std::memcmp(v.data(), b_ + from, v.size()) == 0) {
        found = true;
        break;
      }
    }
    if (!found) return -1;
  }
  if (n.use == kCheck && !n.js_test) return stop;
  return EmitString(ni, from, to, (escaped ? 1 : 0) | (wide ? 2 : 0)) ? stop : -1;
}

bool LineScanner::EmitString(int ni, long from, long to, int flags) {
  NodeState& st = state_[ni];
  const long length = to - from;
  const bool keep = !table_full_ && length <= kMaxKeptBytes && st.strings.Look();
  if (!keep) return Put(kOpRawString) && Put(ni) && Put(from) && Put(to) && Put(flags);
  const uint64_t h = Hash(b_ + from, static_cast<size_t>(length));
  const size_t mask = kTableSlots - 1;
  size_t slot = h & mask;
  for (;;) {
    const Entry& e = entries_[slot];
    if (!e.used) break;
    if (e.hash == h && static_cast<long>(e.length) == length && std::memcmp(arena_.data() + e.at, b_ + from, length) == 0) {
      st.strings.Hit();
      return Put(kOpString) && Put(ni) && Put(e.id);
    }
    slot = (slot + 1) & mask;
  }
  if (filled_ + 1 > kTableSlots * 3 / 4 || arena_used_ + static_cast<size_t>(length) > kArenaBytes) {
    table_full_ = true;
    return Put(kOpRawString) && Put(ni) && Put(from) && Put(to) && Put(flags);
  }
  Entry& e = entries_[slot];
  e.hash = h;
  e.at = arena_used_;
  e.length = static_cast<uint32_t>(length);
  e.id = next_id_++;
  e.used = true;
  std::memcpy(arena_.data() + arena_used_, b_ + from, length);
  arena_used_ += static_cast<uint32_t>(length);
  filled_++;
  added_.push_back(static_cast<uint32_t>(slot));
  return Put(kOpNewString) && Put(ni) && Put(e.id) && Put(from) && Put(to) && Put(flags);
}

// Past a string's content (`pos`: after its opening quote) to after its closing quote, or -1 when
// it is not a JSON string (a control character, a bad escape, no end) or not valid UTF-8.
long LineScanner::SkipString(long pos, bool* escaped, bool* wide) {
  const uint8_t* b = b_;
  const long end = end_;
  while (pos < end) {
    // 8 plain bytes at a time: none under 0x20, over 0x7f, a quote or a backslash
    while (pos + 8 <= end) {
      uint64_t v;
      std::memcpy(&v, b + pos, 8);
      const uint64_t q = v ^ (kOnes * '"');
      const uint64_t s = v ^ (kOnes * '\\');
      const uint64_t special = v | ((v - kOnes * 0x20) & ~v) | ((q - kOnes) & ~q) | ((s - kOnes) & ~s);
      if (special & kHighs) break;
      pos += 8;
    }
    if (pos >= end) break;
    const uint8_t c = b[pos];
    if (c == '"') return pos + 1;
    if (c >= 0x20 && c < 0x80 && c != '\\') {
      pos++;
      continue;
    }
    if (c == '\\') {
      if (pos + 1 >= end) return -1;
      const uint8_t e = b[pos + 1];
      if (e == 'u') {
        if (pos + 6 > end || Hex4(b, pos + 2) < 0) return -1;
        pos += 6;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        pos += 2;
      } else {
        return -1;
      }
      *escaped = true;
      continue;
    }
    if (c < 0x20) return -1;
    const long n = Utf8Sequence(b, pos, end);
    if (n < 0) return -1;
    *wide = true;
    pos += n;
  }
  return -1;
}

// A JSON number at `pos`: the position after it (its value in *out), or -1.
long LineScanner::Number(long pos, double* out) {
  const uint8_t* b = b_;
  const long start = pos;
  bool negative = false;
  if (b[pos] == '-') {
    negative = true;
    pos++;
  }
  if (pos >= end_) return -1;
  uint8_t c = b[pos];
  double v = 0;
  int digits = 0;
  if (c == '0') {
    pos++;
    digits = 1;
  } else if (c >= '1' && c <= '9') {
    while (pos < end_ && IsDigit(c = b[pos])) {
      v = v * 10 + (c - '0');
      digits++;
      pos++;
    }
  } else {
    return -1;
  }
  bool exact = digits <= 15;
  if (pos < end_ && b[pos] == '.') {
    pos++;
    const long first = pos;
    while (pos < end_ && IsDigit(b[pos])) pos++;
    if (pos == first) return -1;
    exact = false;
  }
  if (pos < end_ && (b[pos] == 'e' || b[pos] == 'E')) {
    pos++;
    if (pos < end_ && (b[pos] == '+' || b[pos] == '-')) pos++;
    const long first = pos;
    while (pos < end_ && IsDigit(b[pos])) pos++;
    if (pos == first) return -1;
    exact = false;
  }
  if (exact) {
    *out = negative ? -v : v;
    return pos;
  }
  // beyond 15 digits, or with a fraction or exponent: the correctly rounded conversion (as
  // JSON.parse's); out of a double's range it is left to the usual path
  const char* first = reinterpret_cast<const char*>(b + start);
  const char* last = reinterpret_cast<const char*>(b + pos);
  auto [ptr, ec] = std::from_chars(first, last, *out);
  if (ec != std::errc() || ptr != last) return -1;
  return pos;
}

}  // namespace sessiontop
