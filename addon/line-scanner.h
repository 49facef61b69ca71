// The byte walk of the recording line scanner (src/record/record-line-scanner.ts): checks that a
// line is JSON text that JSON.parse accepts and that every value has the type, range and form its
// field's schema node gives, and writes the values the reading keeps as a tape of numbers. Plain
// C++; knows nothing of Node (the N-API glue is addon.cc). The schema nodes come compiled from the
// TypeScript side, which also reads the tape back into a line: this file holds no schema knowledge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace sessiontop {

// Node types and uses: the same numbers as record-line-scanner.ts.
enum ScanType : int { kUnsupported = 0, kObject = 1, kArray = 2, kString = 3, kInteger = 4, kNumber = 5, kBoolean = 6 };
enum ScanUse : int { kCheck = 0, kBuild = 1, kSkeleton = 2 };

// Tape operations (each an op code, the node index, then its operands; every entry a double):
//   kOpSkeleton node                  a kept object is present (its members follow)
//   kOpNumber node value              kOpBool node 0|1
//   kOpString node id                 a string met before: its text is entry `id` of the table
//   kOpNewString node id from to flags  a string to decode from line bytes [from, to) (flags:
//                                     1 escapes, 2 bytes over 0x7f) and keep as entry `id`
//   kOpRawString node from to flags   a string to decode, not kept
//   kOpArray node / kOpObject node … kOpEnd   an array or object built afresh, its elements between
// A node that only checks a value writes nothing, unless the TypeScript side must test its string
// (a pattern this file does not know): then the string comes as for a kept one.
enum ScanOp : int {
  kOpSkeleton = 1,
  kOpNumber = 2,
  kOpBool = 3,
  kOpString = 4,
  kOpNewString = 5,
  kOpRawString = 6,
  kOpArray = 7,
  kOpObject = 8,
  kOpEnd = 9,
};

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct ScanNode {
  int type = kUnsupported;
  int use = kCheck;
  // object
  std::vector<std::string> keys;
  std::vector<int> children;
  std::vector<uint8_t> required;
  int required_count = 0;
  // array
  int items = -1;
  // string: checks done here (a date-time, a run of digits, an enum of plain ASCII values)
  bool date_time = false;
  int digits_min = 0, digits_max = 0;  // digits_max 0: no digit pattern
  std::vector<std::string> enum_values;
  bool js_test = false;                // the TypeScript side tests the string
  // integer, number
  double minimum = -kInfinity, maximum = kInfinity;
  double exclusive_minimum = -kInfinity, exclusive_maximum = kInfinity;
};

class LineScanner {
 public:
  // `nodes[0]` is the line; the others are numbered in walk order (a child, or an array's items,
  // after its node: addon.cc checks it), so the walk recurses no deeper than the schema.
  explicit LineScanner(std::vector<ScanNode> nodes);

  // Scans the line b[from, to) (no newline) and writes its tape into `tape` (room for `capacity`
  // entries). Returns the tape's length, or -1 when the line is not understood: the caller reads
  // it the usual way (JSON.parse and the schema check), which gives the outcome, good or bad.
  int Scan(const uint8_t* b, size_t from, size_t to, double* tape, size_t capacity);

  // How many strings the table has handed out since it was last emptied (for tests).
  uint32_t table_size() const { return next_id_; }

 private:
  // How often a node's lookups (its strings in the table, its objects in its memo) find something:
  // a node whose lookups rarely do (times, arguments, every line's own process) stops looking for
  // a while.
  struct Payoff {
    static constexpr uint32_t kRound = 1024;  // lookups counted at a time
    static constexpr uint32_t kPause = 16384;  // values not looked up after a round of few hits
    uint32_t tries = 0, hits = 0, paused = 0;
    // Whether to look this time: counts the try, and pauses after a round with under 1/8 hits.
    bool Look() {
      if (paused > 0) {
        paused--;
        return false;
      }
      if (++tries == kRound) {
        if (hits < kRound / 8) paused = kPause;
        tries = 0;
        hits = 0;
      }
      return true;
    }
    void Hit() { hits++; }
    void Pause() { paused = kPause; }
    bool looking() const { return paused == 0; }
  };
  struct NodeState {
    std::vector<int> follow;       // which key came after key i last time (keys.size(): first)
    std::vector<uint64_t> seen;    // key i was met in the object visit seen[i] (a key given twice)
    Payoff strings;                // its strings in the table
  };
  // The last objects a node accepted: their bytes, and the tape they gave (strings as table entries,
  // or as offsets from the object's '{'). The same bytes again give the same tape, unchecked.
  struct ObjectMemo {
    static constexpr int kEntries = 8;
    std::vector<uint8_t> bytes[kEntries];
    std::vector<double> tape[kEntries];
    uint32_t length[kEntries] = {};
    uint64_t generation[kEntries] = {};
    int next = 0, last = 0;
    Payoff payoff;
  };
  struct Entry {
    uint64_t hash = 0;
    uint32_t at = 0, length = 0, id = 0;
    bool used = false;
  };

  long Value(int node, long pos);
  long Object(int node, long pos);
  long Members(int node, long pos);
  long Recall(ObjectMemo& memo, long open);
  void Remember(ObjectMemo& memo, long open, long stop, size_t tape_at);
  long Array(int node, long pos);
  long String(int node, long pos);
  long Number(long pos, double* out);
  long SkipString(long pos, bool* escaped, bool* wide);
  long Ws(long pos) const;
  long Next(long pos, uint8_t close, bool* more) const;
  int Key(const ScanNode& n, long at, long length) const;
  bool Put(double v);
  bool EmitString(int node, long from, long to, int flags);
  void Rollback();

  std::vector<ScanNode> nodes_;
  std::vector<NodeState> state_;
  std::vector<std::unique_ptr<ObjectMemo>> memos_;  // by node: none for the line and built objects
  uint64_t visit_ = 0;
  // bumped when table entries may go (emptied, or a line given up): older memos are void
  uint64_t generation_ = 1;
  // one line's walk
  const uint8_t* b_ = nullptr;
  long end_ = 0;
  double* tape_ = nullptr;
  size_t capacity_ = 0, length_ = 0;
  // the string table: text kept by the TypeScript side, found here by its bytes
  std::vector<Entry> entries_;
  std::vector<uint8_t> arena_;
  uint32_t arena_used_ = 0, next_id_ = 0, filled_ = 0;
  std::vector<uint32_t> added_;  // slots filled by the current line (emptied again if it fails)
  uint32_t arena_at_line_ = 0;
  bool table_full_ = false;
};

}  // namespace sessiontop
