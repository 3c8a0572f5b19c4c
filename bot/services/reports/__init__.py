"""The programme's figures: aggregate SQL over indexed columns, never people loaded into
Python, and small counts hidden so that a small region identifies no one."""
