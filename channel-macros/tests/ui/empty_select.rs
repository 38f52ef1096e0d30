use junction::select;

fn main() {
    select! {}
}
