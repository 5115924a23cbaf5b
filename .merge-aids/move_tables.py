"""Merge aid (#11): move the table helpers batch.py and excel.py share into tables.py, by name.
Run from a worktree root after merging a branch that changed them in batch.py:
    python move_tables.py && ruff check --fix src && ruff format src"""
import ast, re
from pathlib import Path

SRC = Path("src/cds_index")
NAMES = ["ID_HEADERS", "NAME_HEADERS", "YEAR_HEADERS", "ROW_NUMBER_HEADERS", "TOTAL_WORDS", "UnitFailure",
         "_key", "column_letter", "is_blank", "TableLayout", "input_header_index", "table_layout", "Cell",
         "table_unit", "header_again", "_not_a_unit", "place", "_plain_text", "describe"]
batch = (SRC / "batch.py").read_text(encoding="utf-8")
lines = batch.split("\n")
tree = ast.parse(batch)
def name(node):
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)): return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name): return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name): return node.target.id
body, spans = tree.body, []
for i, node in enumerate(body):
    if name(node) not in NAMES: continue
    start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
    while start > 0 and lines[start - 1].startswith("#"): start -= 1   # its comment
    end = node.end_lineno
    nxt = body[i + 1] if i + 1 < len(body) else None   # a docstring right after an assignment
    if nxt is not None and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and nxt.lineno == end + 1:
        end = nxt.end_lineno
    spans.append((start, end, name(node)))
moved = "\n\n\n".join("\n".join(lines[a:b]) for a, b, _ in spans)
moved = re.sub(r"\b_key\(", "header_key(", moved).replace("def _key(", "def header_key(")
keep = [l for i, l in enumerate(lines) if not any(a <= i < b for a, b, _ in spans)]
imports = [l for l in lines[: body[0].lineno + 40] if l.startswith(("from ", "import "))]
head = '"""Tables of one row per unit (CSV and Excel alike): header words, the column layout, one row → a unit.\n\nShared by batch.py (CSV) and excel.py (workbooks), so neither imports the other (#11).\n"""\n\n'
(SRC / "tables.py").write_text(head + "\n".join(imports) + "\n\n\n" + moved + "\n", encoding="utf-8")
public = sorted({n for _, _, n in spans if not n.startswith("_")})
text = "\n".join(keep)
anchor = next(l for l in keep if l.startswith("from .safe import"))
text = text.replace(anchor, anchor + "\nfrom .tables import " + ", ".join(public) + "\nfrom .tables import header_key as _key", 1)
(SRC / "batch.py").write_text(text, encoding="utf-8")
excel = (SRC / "excel.py").read_text(encoding="utf-8")
m = re.search(r"from \.batch import \(([^)]*)\)\n", excel)
names = [n.strip() for n in m.group(1).split(",") if n.strip()]
tables = [n for n in names if n in public]
new = ("from .tables import " + ", ".join(sorted(tables)) + "\nfrom .tables import header_key as _key\n")
rest = [n for n in names if n not in public and n != "_key"]
excel = excel.replace(m.group(0), new)
if rest:  # BatchRow: annotations only, after the last import
    top = excel.split("\n")
    last = max(i for i, l in enumerate(top[:80]) if l.startswith(("from .", "import ")))
    top.insert(last + 1, "\nif TYPE_CHECKING:\n    from .batch import " + ", ".join(rest))
    excel = "\n".join(top).replace("from typing import Any\n", "from typing import TYPE_CHECKING, Any\n", 1)
(SRC / "excel.py").write_text(excel, encoding="utf-8")
print("moved:", ", ".join(n for _, _, n in spans))
