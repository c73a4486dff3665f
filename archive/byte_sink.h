// Copyright ptser authors.
//
// archive/byte_sink.h — where the bytes of a save go.
//
// The zip and legacy writers append through a ByteSink.  Two kinds:
//
// - StringSink: into memory (tests, `torch.save` to a buffer).
// - AtomicFileSink: into a temporary file beside the destination, which
//   Commit() flushes (optionally fsyncs) and renames over the destination.
//   Until Commit() succeeds the destination is untouched; a sink destroyed
//   without a successful Commit() (an error, an exception, an early return)
//   removes its temporary file.  A crash between the two leaves only a
//   `.<name>.ptser-tmp-*` file beside the destination, never a partial file
//   under the destination's name.
//
//   PTSER_ASSIGN_OR_RETURN(auto sink, AtomicFileSink::Create("model.pt"));
//   PTSER_RETURN_IF_ERROR(sink->Write(bytes, n));
//   PTSER_RETURN_IF_ERROR(sink->Commit());
#ifndef PTSER_ARCHIVE_BYTE_SINK_H_
#define PTSER_ARCHIVE_BYTE_SINK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ptser {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends `n` bytes.
  virtual absl::Status Write(const void* data, size_t n) = 0;
  // Bytes written so far.
  virtual uint64_t position() const = 0;
};

class StringSink : public ByteSink {
 public:
  absl::Status Write(const void* data, size_t n) override;
  uint64_t position() const override { return data_.size(); }
  const std::string& data() const { return data_; }
  std::string Release() { return std::move(data_); }

 private:
  std::string data_;
};

class AtomicFileSink : public ByteSink {
 public:
  struct Options {
    // fsync the file before the rename and the folder after it, so the new
    // file survives a power cut.  Default: true.
    bool durable = true;
    // Write buffer size in bytes.  Default: 1 MiB.
    size_t buffer_size = size_t{1} << 20;
  };

  // Creates the temporary file in `path`'s folder.  The folder must exist and
  // be writable (else PermissionDenied/NotFound naming it).
  static absl::StatusOr<std::unique_ptr<AtomicFileSink>> Create(
      const std::string& path, Options options);
  static absl::StatusOr<std::unique_ptr<AtomicFileSink>> Create(
      const std::string& path) {
    return Create(path, Options());
  }
  ~AtomicFileSink() override;

  absl::Status Write(const void* data, size_t n) override;
  uint64_t position() const override { return position_; }

  // Flushes, syncs (if durable) and renames onto the destination.  After an
  // error the destination is unchanged and the temporary file is removed.
  absl::Status Commit();

  const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicFileSink(std::string path, std::string temp_path, int fd,
                 Options options);
  absl::Status Flush();
  void Abandon();

  std::string path_;
  std::string temp_path_;
  int signal_slot_ = -1;  // where RemoveTemporaryFilesOnSignals finds temp_path_
  int fd_;
  Options options_;
  std::string buffer_;
  uint64_t position_ = 0;
  bool committed_ = false;
  absl::Status error_;  // sticky: a failed write poisons the sink
};

// Makes SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE and SIGXFSZ remove the
// temporary files of the AtomicFileSinks still open (up to 64 at once), then
// end the process as the signal would have.  For programs: the ptser command
// line calls it first thing; a library installs no signal handlers by
// itself.  SIGKILL cannot be caught: a `.<name>.ptser-tmp-XXXXXX` file can
// survive it (never under the destination's name).
void RemoveTemporaryFilesOnSignals();

}  // namespace ptser

#endif  // PTSER_ARCHIVE_BYTE_SINK_H_
