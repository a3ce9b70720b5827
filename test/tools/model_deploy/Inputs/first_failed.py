"""Checks that the first FAILED row of a --report_csv file is the tensor
model_deploy's error names: `first_failed.py report.csv error.txt`."""
import csv
import re
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
failed = [r["name"] for r in rows if r["status"] == "FAILED"]
named = re.search(r"below it is '([^']+)'", open(sys.argv[2]).read())
if failed and named and failed[0] == named.group(1):
    print("same first tensor")
else:
    print("differ:", failed[:1], named.group(1) if named else None)
