"""A copy of the project's extraction scorer (standard library only), so the tests need
nothing outside the repository; a test checks it still equals ../shared's."""
