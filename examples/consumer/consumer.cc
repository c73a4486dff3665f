// A program outside ptser's workspace, built against individual ptser targets:
// it saves a tensor and a view of it, loads them back, and shows they still
// share one storage.
#include <iostream>

#include "archive/load.h"
#include "archive/save.h"
#include "tensor/factories.h"
#include "tensor/print/repr.h"
#include "tensor/views.h"

int main() {
  auto numbers = ptser::Arange(ptser::Scalar(int64_t{1}), ptser::Scalar(int64_t{10}));
  if (!numbers.ok()) return 1;
  auto evens = ptser::Slice(*numbers, 0, 1, 10, 2);
  if (!evens.ok()) return 1;
  ptser::Value pair = ptser::Value::NewList(
      {ptser::Value::FromTensor(*numbers), ptser::Value::FromTensor(*evens)});
  auto bytes = ptser::SaveToString(pair, "consumer");
  if (!bytes.ok()) {
    std::cerr << bytes.status() << "\n";
    return 1;
  }
  auto loaded = ptser::LoadFromSource(
      std::shared_ptr<const ptser::ByteSource>(ptser::ByteSource::FromString(*bytes)));
  if (!loaded.ok()) {
    std::cerr << loaded.status() << "\n";
    return 1;
  }
  const ptser::Tensor& a = loaded->list()[0].tensor();
  const ptser::Tensor& b = loaded->list()[1].tensor();
  std::cout << "saved " << bytes->size() << " bytes; loaded " << ptser::Repr(a) << " and "
            << ptser::Repr(b) << "; shared storage: "
            << (a.storage().IsSameAs(b.storage()) ? "yes" : "no") << "\n";
  return a.storage().IsSameAs(b.storage()) ? 0 : 1;
}
