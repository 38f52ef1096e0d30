use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    select! {
        recv(r) -> msg => println!("{msg:?}"),
        default => println!("nothing yet"),
        default(std::time::Duration::from_millis(10)) => println!("still nothing"),
    }
}
