//===- ListParsing.cpp - List-valued model_transform flags ----------------===//

#include "tpuc/Support/ListParsing.h"

#include "llvm/ADT/StringSwitch.h"

#include "llvm/ADT/SmallVector.h"

#include <cmath>

using namespace llvm;

namespace tpuc {

static Error syntaxError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str().c_str());
}

/// Trims, and drops one pair of quotes a shell left in place.
static StringRef unquote(StringRef text) {
  text = text.trim();
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front())
    text = text.drop_front().drop_back().trim();
  return text;
}

/// `[items]` or `items`, trimmed.
static Expected<StringRef> stripBrackets(StringRef text) {
  bool open = text.starts_with("["), close = text.ends_with("]");
  if (open != close)
    return syntaxError("unbalanced brackets");
  if (open)
    text = text.drop_front().drop_back().trim();
  return text;
}

/// Applies `parseItem` to every comma separated entry of `text`.
template <typename T, typename ParseItem>
static Expected<std::vector<T>> parseItems(StringRef text,
                                           ParseItem parseItem) {
  if (text.empty())
    return syntaxError("empty list");
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  std::vector<T> values;
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      return syntaxError("empty entry");
    Expected<T> value = parseItem(part);
    if (!value)
      return value.takeError();
    values.push_back(*value);
  }
  return values;
}

static Expected<int64_t> parseDim(StringRef text) {
  int64_t value;
  if (text.getAsInteger(10, value) || value <= 0)
    return syntaxError("'" + text + "' is not a positive integer");
  return value;
}

static Expected<double> parseNumber(StringRef text) {
  double value;
  if (text.getAsDouble(value) || !std::isfinite(value))
    return syntaxError("'" + text + "' is not a number");
  return value;
}

Expected<std::vector<int64_t>> parseDimList(StringRef text) {
  auto items = stripBrackets(unquote(text));
  if (!items)
    return items.takeError();
  return parseItems<int64_t>(*items, parseDim);
}

Expected<std::vector<double>> parseNumberList(StringRef text) {
  auto items = stripBrackets(unquote(text));
  if (!items)
    return items.takeError();
  return parseItems<double>(*items, parseNumber);
}

Expected<std::vector<std::vector<int64_t>>> parseShapeList(StringRef text) {
  text = unquote(text);
  std::vector<std::vector<int64_t>> shapes;
  if (!text.starts_with("[[")) {
    auto shape = parseDimList(text);
    if (!shape)
      return shape.takeError();
    shapes.push_back(std::move(*shape));
    return shapes;
  }
  if (!text.ends_with("]"))
    return syntaxError("unbalanced brackets");
  // The inner `[..],[..]` sequence.
  StringRef rest = text.drop_front().drop_back().trim();
  while (true) {
    if (!rest.starts_with("["))
      return syntaxError("expected '[' to start a shape");
    size_t close = rest.find(']');
    if (close == StringRef::npos)
      return syntaxError("unbalanced brackets");
    auto shape = parseItems<int64_t>(rest.slice(1, close).trim(), parseDim);
    if (!shape)
      return shape.takeError();
    shapes.push_back(std::move(*shape));
    rest = rest.drop_front(close + 1).trim();
    if (rest.empty())
      return shapes;
    if (!rest.consume_front(","))
      return syntaxError("expected ',' between shapes");
    rest = rest.trim();
  }
}

std::vector<std::string> parseNameList(StringRef text) {
  SmallVector<StringRef> parts;
  unquote(text).split(parts, ',');
  std::vector<std::string> names;
  for (StringRef part : parts)
    if (!part.trim().empty())
      names.push_back(part.trim().str());
  return names;
}

Expected<bool> parseSwitch(StringRef flag, StringRef text, bool given) {
  if (!given)
    return false;
  std::optional<bool> value = StringSwitch<std::optional<bool>>(text)
                                  .Cases("", "true", "True", "1", true)
                                  .Cases("false", "False", "0", false)
                                  .Default(std::nullopt);
  if (!value)
    return createStringError(inconvertibleErrorCode(),
                             "malformed --%s '%s': expected true or false",
                             flag.str().c_str(), text.str().c_str());
  return *value;
}

Expected<std::pair<double, double>> parseTolerance(StringRef text) {
  auto values = parseNumberList(text);
  if (!values)
    return createStringError(
        inconvertibleErrorCode(), "malformed --tolerance '%s': %s",
        text.str().c_str(), toString(values.takeError()).c_str());
  if (values->size() != 2)
    return createStringError(inconvertibleErrorCode(),
                             "malformed --tolerance '%s': expected COS,EUCLID "
                             "such as 0.99,0.99",
                             text.str().c_str());
  return std::make_pair((*values)[0], (*values)[1]);
}

} // namespace tpuc
