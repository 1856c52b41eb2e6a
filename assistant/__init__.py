"""assistant package."""

from assistant.lazy_imports import defer_unused_package_inits

defer_unused_package_inits()  # before anything imports langchain-core (see lazy_imports)
