"""Template specs: the model, parsing, authoring errors, workbook layout and describe."""
