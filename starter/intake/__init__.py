"""Where tills' transactions and stock events enter: submission, replay, file formats, the
demo store day, catalogue files."""
