"""The encrypted vault: SQLCipher connection, key management, migrations, repositories, backup."""
